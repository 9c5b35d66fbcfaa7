// Package mongo is nanoscout's MongoDB store, on go.mongodb.org/mongo-driver/v2.
//
// It keeps to what both MongoDB and FerretDB 1.24 (the server its tests
// embed) serve correctly: no transactions, bulk writes of at most 40
// update/replace models per command, no aggregation beyond what Go computes
// better, no Distinct, no NaN or infinite doubles. Documents use natural ids
// (`_id` = the model key), so every write is an idempotent upsert.
//
// Without transactions, SaveCreator writes posts, comments and the snapshot
// first and the creator document last, in one single-document update: a reader
// never sees a score whose posts are not stored yet.
package mongo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/internal/finite"
)

// bulkChunk is the most update/replace models sent in one command. FerretDB
// 1.24 holds a backend connection per matched statement until the command
// ends and blocks past its pool size (about 100), so stay well below.
const bulkChunk = 40

// Collection names.
const (
	colCreators  = "creators"
	colPosts     = "posts"
	colComments  = "comments"
	colSnapshots = "snapshots"
	colRuns      = "runs"
	colMeta      = "meta"
)

var _ store.Store = (*Store)(nil)

// Store is the MongoDB backend. It is safe for concurrent use.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	name   string
}

// Open connects to uri, uses database, records the schema version and
// creates the indexes.
func Open(ctx context.Context, uri, database string) (*Store, error) {
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return nil, fmt.Errorf("connecting to MongoDB: %w", err)
	}
	s := &Store{client: client, db: client.Database(database), name: database}
	if err := client.Ping(ctx, nil); err != nil {
		s.Close()
		return nil, fmt.Errorf("connecting to MongoDB: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("preparing database %q: %w", database, err)
	}
	return s, nil
}

// Close disconnects the client.
func (s *Store) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.client.Disconnect(ctx); err != nil {
		return fmt.Errorf("disconnecting from MongoDB: %w", err)
	}
	return nil
}

// Database is the database the store uses.
func (s *Store) Database() *mongo.Database { return s.db }

type metaDoc struct {
	ID        string    `bson:"_id"`
	Version   int       `bson:"version"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

const schemaID = "schema"

// migrate records store.SchemaVersion in the meta collection (refusing a
// database written by a newer build) and creates the indexes.
func (s *Store) migrate(ctx context.Context) error {
	meta := s.db.Collection(colMeta)
	_, err := meta.UpdateOne(ctx, bson.D{{Key: "_id", Value: schemaID}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{
			{Key: "version", Value: store.SchemaVersion},
			{Key: "updatedAt", Value: time.Now().UTC()},
		}}}, options.UpdateOne().SetUpsert(true))
	if err != nil && !mongo.IsDuplicateKeyError(err) { // a concurrent Open inserted it
		return fmt.Errorf("recording schema version: %w", err)
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if v > store.SchemaVersion {
		return fmt.Errorf("database schema version %d is newer than this build's %d", v, store.SchemaVersion)
	}
	if err := s.createIndexes(ctx); err != nil {
		return err
	}
	if v < store.SchemaVersion {
		// Future migrations go here, before the version is raised.
		if _, err := meta.UpdateOne(ctx, bson.D{{Key: "_id", Value: schemaID}}, bson.D{{Key: "$set", Value: bson.D{
			{Key: "version", Value: store.SchemaVersion}, {Key: "updatedAt", Value: time.Now().UTC()},
		}}}); err != nil {
			return fmt.Errorf("recording schema version: %w", err)
		}
	}
	return nil
}

// SchemaVersion returns the schema version recorded in the database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var m metaDoc
	if err := s.db.Collection(colMeta).FindOne(ctx, bson.D{{Key: "_id", Value: schemaID}}).Decode(&m); err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	return m.Version, nil
}

func keys(fields ...string) bson.D {
	d := bson.D{}
	for _, f := range fields {
		dir := 1
		if f[0] == '-' {
			f, dir = f[1:], -1
		}
		d = append(d, bson.E{Key: f, Value: dir})
	}
	return d
}

func (s *Store) createIndexes(ctx context.Context) error {
	indexes := map[string][]bson.D{
		colCreators: {
			keys("platform", "tier", "-composite", "_id"),
			keys("platform", "-composite", "_id"),
			keys("platform", "creator.handle"),
			keys("-composite", "_id"),
			keys("platform", "tier", "-er", "_id"),
			keys("platform", "tier", "-followers", "_id"),
			keys("-converterRank", "_id"), // sort=cpa (campaign.go)
		},
		colPosts:         {keys("creatorKey", "-createdAt", "-_id")},
		colComments:      {keys("postKey", "createdAt", "_id")},
		colSnapshots:     {keys("creatorKey", "day")},
		colPostSnaps:     {keys("postKey", "ageHours")},
		colRuns:          {keys("-startedAt", "-_id")},
		colMarkers:       {keys("ns", "id")},
		colAudience:      {keys("creatorKey", "-sampledAt")},
		colStreamPosts:   {keys("creatorDid", "createdAt"), keys("createdAt")},
		colStreamRecords: {keys("subjectUri", "kind"), keys("creatorDid", "at"), keys("at")},
	}
	// One index per command: FerretDB 1.24 panics (and drops the connection)
	// when one createIndexes command holds two or more indexes that exist
	// already, as on every Open after the first.
	for col, ks := range indexes {
		for _, k := range ks {
			if _, err := s.db.Collection(col).Indexes().CreateOne(ctx, mongo.IndexModel{Keys: k}); err != nil {
				return fmt.Errorf("creating index %v on %s: %w", k, col, err)
			}
		}
	}
	return nil
}

// --- documents ---

// creatorDoc is a stored creator. The profile and score are kept whole; what
// Top filters and sorts on is copied to the top level, where indexes reach it.
type creatorDoc struct {
	ID            string        `bson:"_id"`
	Creator       model.Creator `bson:"creator"`
	Score         *model.Score  `bson:"score,omitempty"`
	Status        string        `bson:"status"`
	StatusReason  string        `bson:"statusReason,omitempty"`
	LastCollected time.Time     `bson:"lastCollected,omitempty"`
	LastScored    time.Time     `bson:"lastScored,omitempty"`
	UpdatedAt     time.Time     `bson:"updatedAt"`
	// Copies for filters and sorts (platform, followers, tier, er, replyScore,
	// authenticity, composite, rank) are written with $set and not read back.
}

func (d creatorDoc) record() store.CreatorRecord {
	return store.CreatorRecord{
		Key: d.ID, Creator: d.Creator, Score: d.Score, Status: d.Status, StatusReason: d.StatusReason,
		LastCollected: d.LastCollected, LastScored: d.LastScored, UpdatedAt: d.UpdatedAt,
	}
}

// profileFields are the $set fields of a profile.
func profileFields(c model.Creator) bson.D {
	return bson.D{
		{Key: "creator", Value: c},
		{Key: "platform", Value: c.Platform},
		{Key: "followers", Value: c.Followers},
	}
}

// scoreFields are the $set fields of a (finite) score; rank is set apart.
func scoreFields(sc *model.Score) bson.D {
	return bson.D{
		{Key: "score", Value: sc},
		{Key: "tier", Value: sc.Tier},
		{Key: "er", Value: sc.ER},
		{Key: "replyScore", Value: sc.ReplyDepth.Score},
		{Key: "authenticity", Value: sc.Authenticity},
		{Key: "composite", Value: sc.Composite},
		{Key: "audienceQuality", Value: audienceShare(sc)},
	}
}

// audienceShare is the copy of the audience quality kept for filters and
// sorts: null without a sample, so such creators sort last and never pass a
// minimum.
func audienceShare(sc *model.Score) any {
	if sc.Audience == nil {
		return nil
	}
	return sc.Audience.Share
}

type postDoc struct {
	ID         string `bson:"_id"`
	CreatorKey string `bson:"creatorKey"`
	model.Post `bson:",inline"`
}

type commentDoc struct {
	ID            string `bson:"_id"`
	PostKey       string `bson:"postKey"`
	model.Comment `bson:",inline"`
}

type snapshotDoc struct {
	ID             string `bson:"_id"`
	model.Snapshot `bson:",inline"`
}

func snapshotID(creatorKey, day string) string { return creatorKey + ":" + day }

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// upsertAttempts bounds retries of an upsert that lost a race.
const upsertAttempts = 5

// retryUpsert runs an idempotent upsert again when it fails with a duplicate
// key: two upserts of one new _id at once both try to insert, and the loser
// gets E11000 (FerretDB always, MongoDB before 4.2). On the retry the document
// exists and the upsert updates it.
func retryUpsert(ctx context.Context, fn func() error) error {
	var err error
	for range upsertAttempts {
		if err = fn(); err == nil || !mongo.IsDuplicateKeyError(err) {
			return err
		}
		if ctx.Err() != nil {
			return err
		}
	}
	return err
}

// bulk sends models (idempotent upserts) in ordered chunks of bulkChunk.
func bulk(ctx context.Context, col *mongo.Collection, models []mongo.WriteModel) error {
	for start := 0; start < len(models); start += bulkChunk {
		chunk := models[start:min(start+bulkChunk, len(models))]
		err := retryUpsert(ctx, func() error {
			_, err := col.BulkWrite(ctx, chunk)
			return err
		})
		if err != nil {
			return fmt.Errorf("bulk write to %s (%d–%d of %d): %w", col.Name(), start, start+len(chunk), len(models), err)
		}
	}
	return nil
}

func replaceModel(id string, doc any) mongo.WriteModel {
	return mongo.NewReplaceOneModel().SetFilter(byID(id)).SetReplacement(doc).SetUpsert(true)
}

func (s *Store) upsertPosts(ctx context.Context, posts []model.Post) error {
	models := make([]mongo.WriteModel, len(posts))
	for i, p := range posts {
		models[i] = replaceModel(p.Key(), postDoc{ID: p.Key(), CreatorKey: p.CreatorKey(), Post: p})
	}
	return bulk(ctx, s.db.Collection(colPosts), models)
}

func (s *Store) upsertComments(ctx context.Context, comments []model.Comment) error {
	models := make([]mongo.WriteModel, len(comments))
	for i, c := range comments {
		models[i] = replaceModel(c.Key(), commentDoc{ID: c.Key(), PostKey: model.Key(c.Platform, c.PostID), Comment: c})
	}
	return bulk(ctx, s.db.Collection(colComments), models)
}

func (s *Store) putSnapshot(ctx context.Context, snap model.Snapshot) error {
	snap = finite.Snapshot(snap)
	id := snapshotID(snap.CreatorKey, snap.Day)
	err := retryUpsert(ctx, func() error {
		_, err := s.db.Collection(colSnapshots).ReplaceOne(ctx, byID(id), snapshotDoc{ID: id, Snapshot: snap},
			options.Replace().SetUpsert(true))
		return err
	})
	if err != nil {
		return fmt.Errorf("upserting snapshot %q: %w", id, err)
	}
	return nil
}

func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC()
	}
	return t
}

// SaveCreator writes posts, comments, the snapshot and last the creator
// document, whose update alone carries the new profile, score and status.
func (s *Store) SaveCreator(ctx context.Context, u store.CreatorUpdate) (err error) {
	defer func() { err = fatal(err) }()
	key := u.Creator.Key()
	if err := s.saveCreator(ctx, key, u); err != nil {
		return fmt.Errorf("saving creator %q: %w", key, err)
	}
	return nil
}

func (s *Store) saveCreator(ctx context.Context, key string, u store.CreatorUpdate) error {
	if err := s.upsertPosts(ctx, u.Posts); err != nil {
		return err
	}
	if err := s.upsertComments(ctx, u.Comments); err != nil {
		return err
	}
	if u.Snapshot != nil && u.Creator.Known(model.CountFollowers) {
		if err := s.putSnapshot(ctx, *u.Snapshot); err != nil {
			return err
		}
	}
	c, score, status, reason := u.Creator, u.Score, model.StatusOK, ""
	if len(c.Unknown) > 0 {
		// A profile that lacks counts: read what is stored, so known counts
		// (and the score) are kept. Not atomic with the write below (FerretDB
		// has no transactions); one creator is written by one worker at a time.
		stored, found, err := s.storedCreator(ctx, key)
		if err != nil {
			return err
		}
		c, score, status, reason = store.Guard(stored, found, c, score)
	}
	at := orNow(u.At)
	set := profileFields(c)
	set = append(set,
		bson.E{Key: "status", Value: status},
		bson.E{Key: "lastCollected", Value: at},
		bson.E{Key: "updatedAt", Value: at},
	)
	unset := bson.D{{Key: "statusReason", Value: ""}}
	if reason != "" {
		set = append(set, bson.E{Key: "statusReason", Value: reason})
		unset = bson.D{}
	}
	if sc := finite.Score(score); sc != nil {
		set = append(set, scoreFields(sc)...)
		set = append(set, bson.E{Key: "lastScored", Value: at})
		if sc.Rank > 0 {
			set = append(set, bson.E{Key: "rank", Value: sc.Rank})
		} else {
			unset = append(unset, bson.E{Key: "rank", Value: ""})
		}
	}
	update := bson.D{{Key: "$set", Value: set}}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	err := retryUpsert(ctx, func() error {
		_, err := s.db.Collection(colCreators).UpdateOne(ctx, byID(key), update, options.UpdateOne().SetUpsert(true))
		return err
	})
	if err != nil {
		return fmt.Errorf("writing creator document: %w", err)
	}
	return nil
}

// UpsertPosts writes posts in bulk, bulkChunk per command.
func (s *Store) UpsertPosts(ctx context.Context, posts []model.Post) (err error) {
	defer func() { err = fatal(err) }()
	if err := s.upsertPosts(ctx, posts); err != nil {
		return fmt.Errorf("upserting %d posts: %w", len(posts), err)
	}
	return nil
}

// UpsertCreators writes profiles, keeping each stored creator's score and
// status. A creator not yet stored starts unscored with status ok.
func (s *Store) UpsertCreators(ctx context.Context, cs []model.Creator, at time.Time) (err error) {
	defer func() { err = fatal(err) }()
	at = orNow(at)
	models := make([]mongo.WriteModel, len(cs))
	for i, c := range cs {
		if len(c.Unknown) > 0 {
			stored, found, err := s.storedCreator(ctx, c.Key())
			if err != nil {
				return fmt.Errorf("upserting %d creators: %w", len(cs), err)
			}
			c, _, _, _ = store.Guard(stored, found, c, nil)
		}
		set := append(profileFields(c), bson.E{Key: "updatedAt", Value: at})
		models[i] = mongo.NewUpdateOneModel().SetFilter(byID(c.Key())).SetUpsert(true).SetUpdate(bson.D{
			{Key: "$set", Value: set},
			{Key: "$setOnInsert", Value: bson.D{{Key: "status", Value: model.StatusOK}}},
		})
	}
	if err := bulk(ctx, s.db.Collection(colCreators), models); err != nil {
		return fmt.Errorf("upserting %d creators: %w", len(cs), err)
	}
	return nil
}

// MarkStatus sets a creator's status and reason, keeping its metrics.
func (s *Store) MarkStatus(ctx context.Context, key, status, reason string) (err error) {
	defer func() { err = fatal(err) }()
	update := bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: status},
		{Key: "statusReason", Value: reason},
		{Key: "updatedAt", Value: time.Now().UTC()},
	}}}
	if reason == "" {
		update = bson.D{
			{Key: "$set", Value: bson.D{{Key: "status", Value: status}, {Key: "updatedAt", Value: time.Now().UTC()}}},
			{Key: "$unset", Value: bson.D{{Key: "statusReason", Value: ""}}},
		}
	}
	res, err := s.db.Collection(colCreators).UpdateOne(ctx, byID(key), update)
	if err != nil {
		return fmt.Errorf("marking creator %q %s: %w", key, status, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("marking creator %q %s: %w", key, status, store.ErrNotFound)
	}
	return nil
}

// storedCreator reads one creator document; found is false when there is
// none.
func (s *Store) storedCreator(ctx context.Context, key string) (rec store.CreatorRecord, found bool, err error) {
	var d creatorDoc
	err = s.db.Collection(colCreators).FindOne(ctx, byID(key)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return rec, false, nil
	}
	if err != nil {
		return rec, false, fmt.Errorf("reading creator %q: %w", key, err)
	}
	return d.record(), true, nil
}

// Creator returns one stored creator, or an error wrapping store.ErrNotFound.
func (s *Store) Creator(ctx context.Context, key string) (_ store.CreatorRecord, err error) {
	defer func() { err = fatal(err) }()
	return s.creatorWhere(ctx, key, byID(key))
}

// CreatorByHandle returns the stored creator of platform with that handle.
func (s *Store) CreatorByHandle(ctx context.Context, platform, handle string) (_ store.CreatorRecord, err error) {
	defer func() { err = fatal(err) }()
	return s.creatorWhere(ctx, platform+" @"+handle, bson.D{{Key: "platform", Value: platform}, {Key: "creator.handle", Value: handle}})
}

func (s *Store) creatorWhere(ctx context.Context, key string, filter bson.D) (store.CreatorRecord, error) {
	var d creatorDoc
	err := s.db.Collection(colCreators).FindOne(ctx, filter, options.FindOne().SetSort(bson.D{{Key: "updatedAt", Value: -1}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.CreatorRecord{}, fmt.Errorf("reading creator %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return store.CreatorRecord{}, fmt.Errorf("reading creator %q: %w", key, err)
	}
	return d.record(), nil
}

// findAll runs a find and decodes every document into a T.
func findAll[T any](ctx context.Context, col *mongo.Collection, what string, filter bson.D, opts *options.FindOptionsBuilder) ([]T, error) {
	cur, err := col.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("querying %s: %w", what, err)
	}
	var out []T
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	return out, nil
}

// Posts returns a creator's posts, newest first, at most limit (0 = all).
func (s *Store) Posts(ctx context.Context, creatorKey string, limit int) (_ []model.Post, err error) {
	defer func() { err = fatal(err) }()
	opts := options.Find().SetSort(keys("-createdAt", "-_id"))
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	docs, err := findAll[postDoc](ctx, s.db.Collection(colPosts), fmt.Sprintf("posts of %q", creatorKey),
		bson.D{{Key: "creatorKey", Value: creatorKey}}, opts)
	if err != nil {
		return nil, err
	}
	out := make([]model.Post, len(docs))
	for i, d := range docs {
		out[i] = d.Post
	}
	return out, nil
}

// Comments returns the comments under one post, oldest first.
func (s *Store) Comments(ctx context.Context, postKey string) (_ []model.Comment, err error) {
	defer func() { err = fatal(err) }()
	docs, err := findAll[commentDoc](ctx, s.db.Collection(colComments), fmt.Sprintf("comments of %q", postKey),
		bson.D{{Key: "postKey", Value: postKey}}, options.Find().SetSort(keys("createdAt", "_id")))
	if err != nil {
		return nil, err
	}
	out := make([]model.Comment, len(docs))
	for i, d := range docs {
		out[i] = d.Comment
	}
	return out, nil
}

var sortFields = map[string]string{
	"":             "composite",
	"composite":    "composite",
	"er":           "er",
	"followers":    "followers",
	"reply":        "replyScore",
	"authenticity": "authenticity",
	"audience":     "audienceQuality",
	"cpa":          "converterRank",
}

// Top returns a page of scored creators, best first by q.SortBy, ties by key.
func (s *Store) Top(ctx context.Context, q store.TopQuery) (_ []store.CreatorRecord, err error) {
	defer func() { err = fatal(err) }()
	docs, err := topFind[creatorDoc](ctx, s, q)
	if err != nil {
		return nil, err
	}
	out := make([]store.CreatorRecord, len(docs))
	for i, d := range docs {
		out[i] = d.record()
	}
	return out, nil
}

// TopWithGrowth is Top with each creator's growth field, brought up to
// date first as Growth does.
func (s *Store) TopWithGrowth(ctx context.Context, q store.TopQuery) (_ []store.ListRow, err error) {
	defer func() { err = fatal(err) }()
	if err := s.syncGrowth(ctx); err != nil { // scout.go
		return nil, err
	}
	type growthDoc struct {
		Doc    creatorDoc `bson:",inline"`
		Growth *float64   `bson:"growth,omitempty"`
	}
	docs, err := topFind[growthDoc](ctx, s, q)
	if err != nil {
		return nil, err
	}
	out := make([]store.ListRow, len(docs))
	for i, d := range docs {
		out[i] = store.ListRow{Record: d.Doc.record(), Growth: d.Growth}
	}
	return out, nil
}

// topFind runs Top's query, decoding each creator into a T.
func topFind[T any](ctx context.Context, s *Store, q store.TopQuery) ([]T, error) {
	field, ok := sortFields[q.SortBy]
	if !ok {
		return nil, fmt.Errorf("top creators: unknown sort %q", q.SortBy)
	}
	filter, err := s.topFilter(ctx, q)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	opts := options.Find().SetSort(keys("-"+field, "_id")).SetLimit(int64(limit))
	if q.WithoutBreakdown {
		opts.SetProjection(bson.D{{Key: "score.breakdown", Value: 0}})
	}
	if q.Offset > 0 {
		opts.SetSkip(int64(q.Offset))
	}
	return findAll[T](ctx, s.db.Collection(colCreators), "top creators", filter, opts)
}

// CountTop counts the scored creators q's filters select.
func (s *Store) CountTop(ctx context.Context, q store.TopQuery) (int64, error) {
	filter, err := s.topFilter(ctx, q)
	if err != nil {
		return 0, err
	}
	n, err := s.db.Collection(colCreators).CountDocuments(ctx, filter)
	if err != nil {
		return 0, fmt.Errorf("counting top creators: %w", err)
	}
	return n, nil
}

// topFilter is the filter of Top and CountTop.
func (s *Store) topFilter(ctx context.Context, q store.TopQuery) (bson.D, error) {
	filter := bson.D{}
	if q.Platform != "" {
		filter = append(filter, bson.E{Key: "platform", Value: q.Platform})
	}
	if q.Tier != "" {
		filter = append(filter, bson.E{Key: "tier", Value: q.Tier})
	}
	filter = append(filter, bson.E{Key: "composite", Value: bson.D{{Key: "$exists", Value: true}}})
	if q.MinER > 0 {
		filter = append(filter, bson.E{Key: "er", Value: bson.D{{Key: "$gte", Value: q.MinER}}})
	}
	followers := bson.D{}
	if q.MinFollowers > 0 {
		followers = append(followers, bson.E{Key: "$gte", Value: q.MinFollowers})
	}
	if q.MaxFollowers > 0 {
		followers = append(followers, bson.E{Key: "$lte", Value: q.MaxFollowers})
	}
	if len(followers) > 0 {
		filter = append(filter, bson.E{Key: "followers", Value: followers})
	}
	if q.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: q.Status})
	}
	filter, err := s.scoutFilter(ctx, filter, q) // scout.go
	if err != nil {
		return nil, fmt.Errorf("top creators: %w", err)
	}
	return filter, nil
}

type rankDoc struct {
	ID        string  `bson:"_id"`
	Tier      string  `bson:"tier"`
	Composite float64 `bson:"composite"`
	Rank      int     `bson:"rank"`
}

// Rerank numbers the scored creators of platform 1..n within each tier by
// composite (ties by key), at the top level and in the stored score. Only
// changed ranks are written, bulkChunk per command.
func (s *Store) Rerank(ctx context.Context, platform string) (err error) {
	defer func() { err = fatal(err) }()
	col := s.db.Collection(colCreators)
	docs, err := findAll[rankDoc](ctx, col, fmt.Sprintf("scores of %s", platform),
		bson.D{{Key: "platform", Value: platform}, {Key: "composite", Value: bson.D{{Key: "$exists", Value: true}}}},
		options.Find().SetProjection(bson.D{{Key: "tier", Value: 1}, {Key: "composite", Value: 1}, {Key: "rank", Value: 1}}))
	if err != nil {
		return fmt.Errorf("reranking %s: %w", platform, err)
	}
	slices.SortFunc(docs, func(a, b rankDoc) int {
		return cmp.Or(cmp.Compare(a.Tier, b.Tier), cmp.Compare(b.Composite, a.Composite), cmp.Compare(a.ID, b.ID))
	})
	var models []mongo.WriteModel
	rank := 0
	for i, d := range docs {
		if i == 0 || d.Tier != docs[i-1].Tier {
			rank = 0
		}
		rank++
		if d.Rank == rank {
			continue
		}
		models = append(models, mongo.NewUpdateOneModel().SetFilter(byID(d.ID)).SetUpdate(bson.D{
			{Key: "$set", Value: bson.D{{Key: "rank", Value: rank}, {Key: "score.rank", Value: rank}}},
		}))
	}
	if err := bulk(ctx, col, models); err != nil {
		return fmt.Errorf("reranking %s: %w", platform, err)
	}
	return nil
}

// PutSnapshot upserts the creator's snapshot for its day.
func (s *Store) PutSnapshot(ctx context.Context, snap model.Snapshot) (err error) {
	defer func() { err = fatal(err) }()
	if err := s.putSnapshot(ctx, snap); err != nil {
		return err
	}
	return s.refreshGrowth(ctx, snap.CreatorKey) // scout.go
}

// Snapshots returns a creator's snapshots from sinceDay on ("" = all), oldest first.
func (s *Store) Snapshots(ctx context.Context, creatorKey, sinceDay string) (_ []model.Snapshot, err error) {
	defer func() { err = fatal(err) }()
	filter := bson.D{{Key: "creatorKey", Value: creatorKey}}
	if sinceDay != "" {
		filter = append(filter, bson.E{Key: "day", Value: bson.D{{Key: "$gte", Value: sinceDay}}})
	}
	docs, err := findAll[snapshotDoc](ctx, s.db.Collection(colSnapshots), fmt.Sprintf("snapshots of %q", creatorKey),
		filter, options.Find().SetSort(keys("day")))
	if err != nil {
		return nil, err
	}
	out := make([]model.Snapshot, len(docs))
	for i, d := range docs {
		out[i] = d.Snapshot
	}
	return out, nil
}

// SaveRun upserts a run.
func (s *Store) SaveRun(ctx context.Context, r model.Run) (err error) {
	defer func() { err = fatal(err) }()
	err = retryUpsert(ctx, func() error {
		_, err := s.db.Collection(colRuns).ReplaceOne(ctx, byID(r.ID), r, options.Replace().SetUpsert(true))
		return err
	})
	if err != nil {
		return fmt.Errorf("saving run %q: %w", r.ID, err)
	}
	return nil
}

// Run returns one run, or an error wrapping store.ErrNotFound.
func (s *Store) Run(ctx context.Context, id string) (_ model.Run, err error) {
	defer func() { err = fatal(err) }()
	var r model.Run
	err = s.db.Collection(colRuns).FindOne(ctx, byID(id)).Decode(&r)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return r, fmt.Errorf("reading run %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("reading run %q: %w", id, err)
	}
	return r, nil
}

// Runs lists runs, newest first, at most limit (0 = all).
func (s *Store) Runs(ctx context.Context, limit int) (_ []model.Run, err error) {
	defer func() { err = fatal(err) }()
	opts := options.Find().SetSort(keys("-startedAt", "-_id"))
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	return findAll[model.Run](ctx, s.db.Collection(colRuns), "runs", bson.D{}, opts)
}

// Stats counts the documents of each collection.
func (s *Store) Stats(ctx context.Context) (store.Stats, error) {
	st := store.Stats{}
	for _, col := range []string{colCreators, colPosts, colComments, colSnapshots, colRuns} {
		n, err := s.db.Collection(col).CountDocuments(ctx, bson.D{})
		if err != nil {
			return nil, fmt.Errorf("counting %s: %w", col, err)
		}
		st[col] = n
	}
	return st, nil
}
