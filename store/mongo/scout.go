package mongo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// Scout data: shortlists, their items, the webhook delivery log and alert
// state, each in its own collection; and the scout filters of Top.
//
// Every filter is built here from TopQuery's typed fields: user text only
// ever becomes a $regex value after regexp.QuoteMeta, never a key or an
// operator. Follower growth needs the snapshots, which MongoDB (without
// triggers, and FerretDB without change streams) cannot join at query time,
// so a creator's growth is derived from its snapshots into a top-level
// `growth` field by syncGrowth, which Top (sorted by growth) and Growth run
// first; it recomputes only creators whose updatedAt moved since.
const (
	colShortlists = "shortlists"
	colItems      = "shortlist_items"
	colDeliveries = "deliveries"
	colAlertState = "alert_state"
	colOutreach   = "outreach_changes"
)

// growthSyncID is the meta document holding how far growth is synced.
const growthSyncID = "growthSync"

// growthSyncOverlap re-examines creators updated this long before the last
// sync: a creator's updatedAt is its collection time, which can precede the
// write by up to the pipeline's creator timeout.
const growthSyncOverlap = 10 * time.Minute

func init() { sortFields["growth"] = "growth" }

var _ store.Scout = (*Store)(nil)

// scoutState is per-Store state this file keeps beside the Store (which it
// does not own): the one-time index creation and the growth-sync lock.
type scoutState struct {
	indexOnce sync.Once
	indexErr  error
	syncMu    sync.Mutex
}

var scoutStates sync.Map // *Store → *scoutState

func (s *Store) scoutState(ctx context.Context) (*scoutState, error) {
	v, _ := scoutStates.LoadOrStore(s, &scoutState{})
	st := v.(*scoutState)
	st.indexOnce.Do(func() { st.indexErr = s.createScoutIndexes(ctx) })
	return st, st.indexErr
}

func (s *Store) createScoutIndexes(ctx context.Context) error {
	indexes := []struct {
		col  string
		keys bson.D
	}{
		{colItems, keys("listId", "creatorKey")},
		{colItems, keys("creatorKey")},
		{colOutreach, keys("listId", "-at", "-_id")},
		{colDeliveries, keys("-createdAt", "-_id")},
		{colCreators, keys("platform", "tier", "-growth", "_id")},
		{colCreators, keys("-growth", "_id")},
		{colCreators, keys("updatedAt")},
		{colCreators, keys("platform", "tier", "-replyScore", "_id")},
	}
	for _, ix := range indexes { // one per command (see createIndexes)
		if _, err := s.db.Collection(ix.col).Indexes().CreateOne(ctx, mongo.IndexModel{Keys: ix.keys}); err != nil {
			return fmt.Errorf("creating index %v on %s: %w", ix.keys, ix.col, err)
		}
	}
	return nil
}

// wordSep is what separates the words of a keyword (store.KeywordTokens).
const wordSep = `[^\p{L}\p{N}]`

// keywordRegex matches the keyword's words in order, each starting a word,
// the last one a prefix: what SQLite's FTS5 phrase-prefix query matches.
func keywordRegex(tokens []string) string {
	quoted := make([]string, len(tokens))
	for i, t := range tokens {
		quoted[i] = regexp.QuoteMeta(t)
	}
	return `(?i)(?:^|` + wordSep + `)` + strings.Join(quoted, wordSep+`+`)
}

func regex(pattern string) bson.D { return bson.D{{Key: "$regex", Value: pattern}} }

// maxKeywordPosts bounds the posts a keyword filter reads for their authors.
const maxKeywordPosts = 50_000

// scoutFilter adds TopQuery's scout filters to a Top filter.
func (s *Store) scoutFilter(ctx context.Context, filter bson.D, q store.TopQuery) (bson.D, error) {
	gte := func(field string, v float64) {
		if v > 0 {
			filter = append(filter, bson.E{Key: field, Value: bson.D{{Key: "$gte", Value: v}}})
		}
	}
	gte("score.benchmarkIndex", q.MinBenchmarkIndex)
	gte("authenticity", q.MinAuthenticity)
	gte("replyScore", q.MinReply)
	gte("audienceQuality", q.MinAudience)
	if q.Language != "" {
		filter = append(filter, bson.E{Key: "creator.language", Value: q.Language})
	}
	if q.ProvenConverter {
		filter = append(filter, bson.E{Key: "converterProven", Value: true})
	}
	var and bson.A
	if q.HasContact {
		and = append(and, bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "creator.bio", Value: regex(store.EmailPattern)}},
			bson.D{{Key: "creator.bio", Value: regex(store.WebsitePattern)}},
			bson.D{{Key: "creator.links.0", Value: bson.D{{Key: "$exists", Value: true}}}},
		}}})
	}
	if strings.TrimSpace(q.Keyword) != "" {
		tokens := store.KeywordTokens(q.Keyword)
		if len(tokens) == 0 {
			and = append(and, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{}}}}}) // matches nothing
		} else {
			re := keywordRegex(tokens)
			authors, err := s.postAuthors(ctx, re)
			if err != nil {
				return nil, err
			}
			and = append(and, bson.D{{Key: "$or", Value: bson.A{
				bson.D{{Key: "creator.handle", Value: regex(re)}},
				bson.D{{Key: "creator.displayName", Value: regex(re)}},
				bson.D{{Key: "creator.bio", Value: regex(re)}},
				bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: authors}}}},
			}}})
		}
	}
	if q.Hide == store.HideShortlisted || q.Hide == store.HideContacted {
		// No join at query time: the keys of the shortlisted creators are
		// read first (a scout's lists are small next to the creators).
		f := bson.D{}
		if q.Hide == store.HideContacted {
			f = bson.D{{Key: "status", Value: bson.D{{Key: "$ne", Value: store.OutreachNew}}}}
		}
		items, err := findAll[itemDoc](ctx, s.db.Collection(colItems), "shortlisted creators", f,
			options.Find().SetProjection(bson.D{{Key: "creatorKey", Value: 1}}))
		if err != nil {
			return nil, err
		}
		keys, seen := bson.A{}, map[string]bool{}
		for _, it := range items {
			if !seen[it.CreatorKey] {
				seen[it.CreatorKey] = true
				keys = append(keys, it.CreatorKey)
			}
		}
		and = append(and, bson.D{{Key: "_id", Value: bson.D{{Key: "$nin", Value: keys}}}})
	}
	if len(and) > 0 {
		filter = append(filter, bson.E{Key: "$and", Value: and})
	}
	if q.MinGrowth != nil {
		filter = append(filter, bson.E{Key: "growth", Value: bson.D{{Key: "$gte", Value: *q.MinGrowth}}})
	}
	if q.SortBy == "growth" || q.MinGrowth != nil {
		if err := s.syncGrowth(ctx); err != nil {
			return nil, err
		}
	}
	return filter, nil
}

// postAuthors returns the creator keys of posts whose text matches re.
func (s *Store) postAuthors(ctx context.Context, re string) (bson.A, error) {
	type authorDoc struct {
		CreatorKey string `bson:"creatorKey"`
	}
	docs, err := findAll[authorDoc](ctx, s.db.Collection(colPosts), "posts by keyword",
		bson.D{{Key: "text", Value: regex(re)}},
		options.Find().SetProjection(bson.D{{Key: "creatorKey", Value: 1}}).SetLimit(maxKeywordPosts))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := bson.A{}
	for _, d := range docs {
		if !seen[d.CreatorKey] {
			seen[d.CreatorKey] = true
			out = append(out, d.CreatorKey)
		}
	}
	return out, nil
}

// syncGrowth recomputes the growth of creators updated since the last sync
// (less growthSyncOverlap) whose growth was derived from an older update.
func (s *Store) syncGrowth(ctx context.Context) error {
	st, err := s.scoutState(ctx)
	if err != nil {
		return err
	}
	st.syncMu.Lock()
	defer st.syncMu.Unlock()
	start := time.Now().UTC()
	meta := s.db.Collection(colMeta)
	var m struct {
		UpTo time.Time `bson:"upTo"`
	}
	filter := bson.D{}
	switch err := meta.FindOne(ctx, byID(growthSyncID)).Decode(&m); {
	case err == nil:
		filter = bson.D{{Key: "updatedAt", Value: bson.D{{Key: "$gte", Value: m.UpTo.Add(-growthSyncOverlap)}}}}
	case !errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("reading growth sync state: %w", err)
	}
	type stampDoc struct {
		ID        string    `bson:"_id"`
		UpdatedAt time.Time `bson:"updatedAt"`
		GrowthAt  time.Time `bson:"growthAt"`
	}
	docs, err := findAll[stampDoc](ctx, s.db.Collection(colCreators), "creators to sync growth", filter,
		options.Find().SetProjection(bson.D{{Key: "updatedAt", Value: 1}, {Key: "growthAt", Value: 1}}))
	if err != nil {
		return err
	}
	stale := map[string]time.Time{}
	var staleKeys []string
	for _, d := range docs {
		if !d.GrowthAt.Equal(d.UpdatedAt) {
			stale[d.ID] = d.UpdatedAt
			staleKeys = append(staleKeys, d.ID)
		}
	}
	for startIdx := 0; startIdx < len(staleKeys); startIdx += 200 {
		chunk := staleKeys[startIdx:min(startIdx+200, len(staleKeys))]
		growth, err := s.computeGrowth(ctx, chunk)
		if err != nil {
			return err
		}
		models := make([]mongo.WriteModel, 0, len(chunk))
		for _, k := range chunk {
			update := bson.D{{Key: "$set", Value: bson.D{{Key: "growthAt", Value: stale[k]}}}}
			if g, ok := growth[k]; ok {
				update = bson.D{{Key: "$set", Value: bson.D{{Key: "growth", Value: g}, {Key: "growthAt", Value: stale[k]}}}}
			} else {
				update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "growth", Value: ""}}})
			}
			models = append(models, mongo.NewUpdateOneModel().SetFilter(byID(k)).SetUpdate(update))
		}
		if err := bulk(ctx, s.db.Collection(colCreators), models); err != nil {
			return fmt.Errorf("syncing growth: %w", err)
		}
	}
	if _, err := meta.UpdateOne(ctx, byID(growthSyncID), bson.D{{Key: "$set", Value: bson.D{{Key: "upTo", Value: start}}}},
		options.UpdateOne().SetUpsert(true)); err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("recording growth sync state: %w", err)
	}
	return nil
}

// refreshGrowth recomputes one creator's growth after a snapshot written on
// its own (not by a collection, which moves updatedAt and so the sync).
func (s *Store) refreshGrowth(ctx context.Context, key string) error {
	growth, err := s.computeGrowth(ctx, []string{key})
	if err != nil {
		return err
	}
	update := bson.D{{Key: "$unset", Value: bson.D{{Key: "growth", Value: ""}}}}
	if g, ok := growth[key]; ok {
		update = bson.D{{Key: "$set", Value: bson.D{{Key: "growth", Value: g}}}}
	}
	if _, err := s.db.Collection(colCreators).UpdateOne(ctx, byID(key), update); err != nil {
		return fmt.Errorf("updating growth of %q: %w", key, err)
	}
	return nil
}

// computeGrowth reads the recent snapshots of keys and applies store.Growth.
// Snapshots of the last two windows come in one query; a creator with none
// there (collected long ago) has its latest window read on its own.
func (s *Store) computeGrowth(ctx context.Context, creatorKeys []string) (map[string]float64, error) {
	recent := time.Now().UTC().AddDate(0, 0, -2*store.GrowthWindowDays-1).Format(time.DateOnly)
	docs, err := findAll[snapshotDoc](ctx, s.db.Collection(colSnapshots), "snapshots for growth",
		bson.D{{Key: "creatorKey", Value: bson.D{{Key: "$in", Value: creatorKeys}}}, {Key: "day", Value: bson.D{{Key: "$gte", Value: recent}}}},
		options.Find())
	if err != nil {
		return nil, err
	}
	by := map[string][]model.Snapshot{}
	for _, d := range docs {
		by[d.CreatorKey] = append(by[d.CreatorKey], d.Snapshot)
	}
	out := map[string]float64{}
	for _, k := range creatorKeys {
		snaps, ok := by[k]
		if !ok {
			old, err := findAll[snapshotDoc](ctx, s.db.Collection(colSnapshots), "snapshots for growth",
				bson.D{{Key: "creatorKey", Value: k}}, options.Find().SetSort(keys("-day")).SetLimit(store.GrowthWindowDays+1))
			if err != nil {
				return nil, err
			}
			for _, d := range old {
				snaps = append(snaps, d.Snapshot)
			}
		}
		if g, ok := store.Growth(snaps); ok {
			out[k] = g
		}
	}
	return out, nil
}

// Growth returns the follower growth of the keys that have one.
func (s *Store) Growth(ctx context.Context, keys []string) (map[string]float64, error) {
	if err := s.syncGrowth(ctx); err != nil {
		return nil, err
	}
	type growthDoc struct {
		ID     string   `bson:"_id"`
		Growth *float64 `bson:"growth"`
	}
	docs, err := findAll[growthDoc](ctx, s.db.Collection(colCreators), "growth",
		bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}, {Key: "growth", Value: bson.D{{Key: "$exists", Value: true}}}},
		options.Find().SetProjection(bson.D{{Key: "growth", Value: 1}}))
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, d := range docs {
		if d.Growth != nil {
			out[d.ID] = *d.Growth
		}
	}
	return out, nil
}

// --- shortlists ---

type shortlistDoc struct {
	ID        string    `bson:"_id"`
	Name      string    `bson:"name"`
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

type itemDoc struct {
	ID         string    `bson:"_id"` // listId + "|" + creatorKey
	ListID     string    `bson:"listId"`
	CreatorKey string    `bson:"creatorKey"`
	Notes      string    `bson:"notes"`
	Status     string    `bson:"status"`
	AddedAt    time.Time `bson:"addedAt"`
	UpdatedAt  time.Time `bson:"updatedAt"`
}

func (d itemDoc) item() store.ShortlistItem {
	return store.ShortlistItem{ShortlistID: d.ListID, CreatorKey: d.CreatorKey, Notes: d.Notes, Status: d.Status,
		AddedAt: d.AddedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
}

func itemID(listID, creatorKey string) string { return listID + "|" + creatorKey }

// CreateShortlist stores a new, empty list.
func (s *Store) CreateShortlist(ctx context.Context, name string) (store.Shortlist, error) {
	name, err := store.ShortlistName(name)
	if err != nil {
		return store.Shortlist{}, err
	}
	if _, err := s.scoutState(ctx); err != nil {
		return store.Shortlist{}, err
	}
	t := store.ScoutNow()
	d := shortlistDoc{ID: store.NewID(), Name: name, CreatedAt: t, UpdatedAt: t}
	if _, err := s.db.Collection(colShortlists).InsertOne(ctx, d); err != nil {
		return store.Shortlist{}, fmt.Errorf("creating shortlist %q: %w", name, err)
	}
	return store.Shortlist{ID: d.ID, Name: d.Name, CreatedAt: t, UpdatedAt: t}, nil
}

// RenameShortlist renames a list.
func (s *Store) RenameShortlist(ctx context.Context, id, name string) error {
	name, err := store.ShortlistName(name)
	if err != nil {
		return err
	}
	res, err := s.db.Collection(colShortlists).UpdateOne(ctx, byID(id),
		bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: name}, {Key: "updatedAt", Value: store.ScoutNow()}}}})
	if err == nil && res.MatchedCount == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("renaming shortlist %q: %w", id, err)
	}
	return nil
}

// DeleteShortlist deletes a list and its items.
func (s *Store) DeleteShortlist(ctx context.Context, id string) error {
	res, err := s.db.Collection(colShortlists).DeleteOne(ctx, byID(id))
	if err == nil && res.DeletedCount == 0 {
		err = store.ErrNotFound
	}
	if err == nil {
		_, err = s.db.Collection(colItems).DeleteMany(ctx, bson.D{{Key: "listId", Value: id}})
	}
	if err == nil {
		_, err = s.db.Collection(colOutreach).DeleteMany(ctx, bson.D{{Key: "listId", Value: id}})
	}
	if err != nil {
		return fmt.Errorf("deleting shortlist %q: %w", id, err)
	}
	return nil
}

func (s *Store) withCount(ctx context.Context, d shortlistDoc) (store.Shortlist, error) {
	n, err := s.db.Collection(colItems).CountDocuments(ctx, bson.D{{Key: "listId", Value: d.ID}})
	if err != nil {
		return store.Shortlist{}, fmt.Errorf("counting items of shortlist %q: %w", d.ID, err)
	}
	return store.Shortlist{ID: d.ID, Name: d.Name, Count: int(n), CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}, nil
}

// Shortlist returns one list with its count.
func (s *Store) Shortlist(ctx context.Context, id string) (store.Shortlist, error) {
	var d shortlistDoc
	err := s.db.Collection(colShortlists).FindOne(ctx, byID(id)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.Shortlist{}, fmt.Errorf("reading shortlist %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Shortlist{}, fmt.Errorf("reading shortlist %q: %w", id, err)
	}
	return s.withCount(ctx, d)
}

// ListShortlists returns every list, newest first.
func (s *Store) ListShortlists(ctx context.Context) ([]store.Shortlist, error) {
	docs, err := findAll[shortlistDoc](ctx, s.db.Collection(colShortlists), "shortlists", bson.D{},
		options.Find().SetSort(keys("-createdAt", "-_id")))
	if err != nil {
		return nil, err
	}
	out := make([]store.Shortlist, 0, len(docs))
	for _, d := range docs {
		l, err := s.withCount(ctx, d)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// AddToShortlist adds creators with status new, keeping existing items.
func (s *Store) AddToShortlist(ctx context.Context, id string, creatorKeys ...string) error {
	t := store.ScoutNow()
	res, err := s.db.Collection(colShortlists).UpdateOne(ctx, byID(id), bson.D{{Key: "$set", Value: bson.D{{Key: "updatedAt", Value: t}}}})
	if err == nil && res.MatchedCount == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("adding to shortlist %q: %w", id, err)
	}
	models := make([]mongo.WriteModel, len(creatorKeys))
	for i, k := range creatorKeys {
		models[i] = mongo.NewUpdateOneModel().SetFilter(byID(itemID(id, k))).SetUpsert(true).SetUpdate(bson.D{
			{Key: "$setOnInsert", Value: bson.D{
				{Key: "listId", Value: id}, {Key: "creatorKey", Value: k}, {Key: "notes", Value: ""},
				{Key: "status", Value: store.OutreachNew}, {Key: "addedAt", Value: t}, {Key: "updatedAt", Value: t},
			}},
		})
	}
	if err := bulk(ctx, s.db.Collection(colItems), models); err != nil {
		return fmt.Errorf("adding to shortlist %q: %w", id, err)
	}
	return nil
}

// UpdateShortlistItem sets an item's notes and/or status.
func (s *Store) UpdateShortlistItem(ctx context.Context, id, creatorKey string, u store.ItemUpdate) error {
	if u.Status != nil && !store.ValidOutreach(*u.Status) {
		return fmt.Errorf("updating %q on shortlist %q: outreach status %q: %w", creatorKey, id, *u.Status, store.ErrInvalid)
	}
	at := store.ScoutNow()
	set := bson.D{{Key: "updatedAt", Value: at}}
	if u.Notes != nil {
		set = append(set, bson.E{Key: "notes", Value: *u.Notes})
	}
	if u.Status != nil {
		set = append(set, bson.E{Key: "status", Value: *u.Status})
	}
	// The item as it was: its old status is the change's "from".
	var old itemDoc
	err := s.db.Collection(colItems).FindOneAndUpdate(ctx, byID(itemID(id, creatorKey)), bson.D{{Key: "$set", Value: set}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&old)
	if errors.Is(err, mongo.ErrNoDocuments) {
		err = store.ErrNotFound
	}
	if err == nil && u.Status != nil && *u.Status != old.Status {
		// Insert-only, with a unique id that sorts by time: no transaction
		// is needed (FerretDB has none), and no change overwrites another.
		_, err = s.db.Collection(colOutreach).InsertOne(ctx, outreachDoc{
			ID: fmt.Sprintf("%019d-%s", time.Now().UnixNano(), store.NewID()), ListID: id, CreatorKey: creatorKey,
			From: old.Status, To: *u.Status, At: at,
		})
	}
	if err != nil {
		return fmt.Errorf("updating %q on shortlist %q: %w", creatorKey, id, err)
	}
	return nil
}

type outreachDoc struct {
	ID         string    `bson:"_id"`
	ListID     string    `bson:"listId"`
	CreatorKey string    `bson:"creatorKey"`
	From       string    `bson:"from"`
	To         string    `bson:"to"`
	At         time.Time `bson:"at"`
}

// OutreachHistory returns a list's status changes, newest first.
func (s *Store) OutreachHistory(ctx context.Context, id, creatorKey string, limit int) ([]store.OutreachChange, error) {
	if _, err := s.scoutState(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 500
	}
	filter := bson.D{{Key: "listId", Value: id}}
	if creatorKey != "" {
		filter = append(filter, bson.E{Key: "creatorKey", Value: creatorKey})
	}
	docs, err := findAll[outreachDoc](ctx, s.db.Collection(colOutreach), "outreach history", filter,
		options.Find().SetSort(keys("-at", "-_id")).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	out := make([]store.OutreachChange, len(docs))
	for i, d := range docs {
		out[i] = store.OutreachChange{ShortlistID: d.ListID, CreatorKey: d.CreatorKey, From: d.From, To: d.To, At: d.At.UTC()}
	}
	return out, nil
}

// RemoveFromShortlist removes a creator from a list.
func (s *Store) RemoveFromShortlist(ctx context.Context, id, creatorKey string) error {
	if _, err := s.db.Collection(colItems).DeleteOne(ctx, byID(itemID(id, creatorKey))); err != nil {
		return fmt.Errorf("removing %q from shortlist %q: %w", creatorKey, id, err)
	}
	return nil
}

func (s *Store) findItems(ctx context.Context, what string, filter bson.D, opts *options.FindOptionsBuilder) ([]store.ShortlistItem, error) {
	docs, err := findAll[itemDoc](ctx, s.db.Collection(colItems), what, filter, opts)
	if err != nil {
		return nil, err
	}
	out := make([]store.ShortlistItem, len(docs))
	for i, d := range docs {
		out[i] = d.item()
	}
	return out, nil
}

// ShortlistItems returns a page of a list's items by creator key.
func (s *Store) ShortlistItems(ctx context.Context, id, afterKey string, limit int) ([]store.ShortlistItem, error) {
	if limit <= 0 {
		limit = 500
	}
	return s.findItems(ctx, fmt.Sprintf("items of shortlist %q", id),
		bson.D{{Key: "listId", Value: id}, {Key: "creatorKey", Value: bson.D{{Key: "$gt", Value: afterKey}}}},
		options.Find().SetSort(keys("creatorKey")).SetLimit(int64(limit)))
}

// ShortlistsOf returns the items holding creatorKey.
func (s *Store) ShortlistsOf(ctx context.Context, creatorKey string) ([]store.ShortlistItem, error) {
	return s.findItems(ctx, fmt.Sprintf("shortlists of %q", creatorKey),
		bson.D{{Key: "creatorKey", Value: creatorKey}}, options.Find().SetSort(keys("listId")))
}

// --- deliveries and alert state ---

type deliveryDoc struct {
	ID         string    `bson:"_id"`
	Webhook    string    `bson:"webhook"`
	Event      string    `bson:"event"`
	Subject    string    `bson:"subject"`
	Items      int       `bson:"items"`
	Bytes      int       `bson:"bytes"`
	Status     string    `bson:"status"`
	Attempts   int       `bson:"attempts"`
	StatusCode int       `bson:"statusCode"`
	Error      string    `bson:"error"`
	CreatedAt  time.Time `bson:"createdAt"`
	UpdatedAt  time.Time `bson:"updatedAt"`
}

func (d deliveryDoc) delivery() store.Delivery {
	return store.Delivery{ID: d.ID, Webhook: d.Webhook, Event: d.Event, Subject: d.Subject, Items: d.Items, Bytes: d.Bytes,
		Status: d.Status, Attempts: d.Attempts, StatusCode: d.StatusCode, Error: d.Error,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
}

// SaveDelivery upserts a delivery.
func (s *Store) SaveDelivery(ctx context.Context, d store.Delivery) error {
	if _, err := s.scoutState(ctx); err != nil {
		return err
	}
	doc := deliveryDoc{ID: d.ID, Webhook: d.Webhook, Event: d.Event, Subject: d.Subject, Items: d.Items, Bytes: d.Bytes,
		Status: d.Status, Attempts: d.Attempts, StatusCode: d.StatusCode, Error: d.Error, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	err := retryUpsert(ctx, func() error {
		_, err := s.db.Collection(colDeliveries).ReplaceOne(ctx, byID(d.ID), doc, options.Replace().SetUpsert(true))
		return err
	})
	if err != nil {
		return fmt.Errorf("saving delivery %q: %w", d.ID, err)
	}
	return nil
}

// Delivery returns one delivery.
func (s *Store) Delivery(ctx context.Context, id string) (store.Delivery, error) {
	var d deliveryDoc
	err := s.db.Collection(colDeliveries).FindOne(ctx, byID(id)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.Delivery{}, fmt.Errorf("reading delivery %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Delivery{}, fmt.Errorf("reading delivery %q: %w", id, err)
	}
	return d.delivery(), nil
}

// Deliveries lists deliveries, newest first.
func (s *Store) Deliveries(ctx context.Context, limit int) ([]store.Delivery, error) {
	if limit <= 0 {
		limit = 100
	}
	docs, err := findAll[deliveryDoc](ctx, s.db.Collection(colDeliveries), "deliveries", bson.D{},
		options.Find().SetSort(keys("-createdAt", "-_id")).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	out := make([]store.Delivery, len(docs))
	for i, d := range docs {
		out[i] = d.delivery()
	}
	return out, nil
}

type alertDoc struct {
	ID         string    `bson:"_id"` // alert + "|" + creatorKey
	Alert      string    `bson:"alert"`
	CreatorKey string    `bson:"creatorKey"`
	DeliveryID string    `bson:"deliveryId"`
	FiredAt    time.Time `bson:"firedAt"`
}

// Alerted returns the keys alert has fired for.
func (s *Store) Alerted(ctx context.Context, alert string, creatorKeys []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(creatorKeys); start += 500 {
		chunk := creatorKeys[start:min(start+500, len(creatorKeys))]
		ids := make(bson.A, len(chunk))
		for i, k := range chunk {
			ids[i] = itemID(alert, k)
		}
		docs, err := findAll[alertDoc](ctx, s.db.Collection(colAlertState), fmt.Sprintf("alert state of %q", alert),
			bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, options.Find())
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			out[d.CreatorKey] = true
		}
	}
	return out, nil
}

// MarkAlerted records that alert fired for creatorKey.
func (s *Store) MarkAlerted(ctx context.Context, alert, creatorKey, deliveryID string, at time.Time) error {
	id := itemID(alert, creatorKey)
	err := retryUpsert(ctx, func() error {
		_, err := s.db.Collection(colAlertState).UpdateOne(ctx, byID(id), bson.D{{Key: "$setOnInsert", Value: bson.D{
			{Key: "alert", Value: alert}, {Key: "creatorKey", Value: creatorKey},
			{Key: "deliveryId", Value: deliveryID}, {Key: "firedAt", Value: at.UTC()},
		}}}, options.UpdateOne().SetUpsert(true))
		return err
	})
	if err != nil {
		return fmt.Errorf("recording alert %q for %q: %w", alert, creatorKey, err)
	}
	return nil
}
