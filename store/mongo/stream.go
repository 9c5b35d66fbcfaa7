package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/nanoscout/nanoscout/store"
)

const (
	colStreamCursor   = "stream_cursor"
	colStreamCreators = "stream_creators"
	colStreamPosts    = "stream_posts"
	colStreamRecords  = "stream_records"
	colStreamPending  = "stream_pending"
)

var _ store.StreamStore = (*Store)(nil)

type streamCursorDoc struct {
	ID     string `bson:"_id"`
	Cursor int64  `bson:"cursor"`
}

// StreamCursor returns the named consumer's cursor, 0 when none is stored.
func (s *Store) StreamCursor(ctx context.Context, name string) (int64, error) {
	var d streamCursorDoc
	err := s.db.Collection(colStreamCursor).FindOne(ctx, byID(name)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading stream cursor %q: %w", name, err)
	}
	return d.Cursor, nil
}

// insertNew inserts docs, unordered; duplicates (already stored) are fine.
func insertNew(ctx context.Context, col *mongo.Collection, docs []any) error {
	if len(docs) == 0 {
		return nil
	}
	_, err := col.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
		for _, we := range bwe.WriteErrors {
			if we.Code != 11000 {
				return fmt.Errorf("inserting into %s: %w", col.Name(), err)
			}
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("inserting into %s: %w", col.Name(), err)
	}
	return nil
}

// ApplyStream applies a batch. MongoDB has no transactions here (FerretDB),
// so the writes are ordered to be safe to repeat: records and posts are
// insert-only, counts are recomputed from the records, and the cursor is
// written last. A consumer that dies in between replays the batch, which
// changes nothing the second time.
func (s *Store) ApplyStream(ctx context.Context, b store.StreamBatch) error {
	if err := s.applyStreamCreators(ctx, b.Creators); err != nil {
		return err
	}
	touched := map[string]bool{}
	posts := make([]any, 0, len(b.Posts))
	for _, p := range b.Posts {
		p.Likes, p.Reposts, p.Replies, p.Quotes = 0, 0, 0, 0
		posts = append(posts, p)
		touched[p.URI] = true
	}
	if err := insertNew(ctx, s.db.Collection(colStreamPosts), posts); err != nil {
		return err
	}
	pend := make([]any, 0, len(b.Pending))
	for _, p := range b.Pending {
		p.Text = ""
		pend = append(pend, p)
	}
	if err := insertNew(ctx, s.db.Collection(colStreamPending), pend); err != nil {
		return err
	}
	if !b.PendingBefore.IsZero() {
		if _, err := s.db.Collection(colStreamPending).DeleteMany(ctx, bson.D{{Key: "createdAt", Value: bson.D{{Key: "$lt", Value: b.PendingBefore.UTC()}}}}); err != nil {
			return fmt.Errorf("pruning pending posts: %w", err)
		}
	}
	recs := make([]any, 0, len(b.Records))
	for _, r := range b.Records {
		recs = append(recs, r)
		if r.SubjectURI != "" {
			touched[r.SubjectURI] = true
		}
	}
	if err := insertNew(ctx, s.db.Collection(colStreamRecords), recs); err != nil {
		return err
	}
	if len(b.Deletes) > 0 {
		dels := slices.Compact(slices.Sorted(slices.Values(b.Deletes)))
		gone, err := findAll[store.StreamRecord](ctx, s.db.Collection(colStreamRecords), "deleted stream records",
			bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: dels}}}}, nil)
		if err != nil {
			return err
		}
		for _, r := range gone {
			if r.SubjectURI != "" {
				touched[r.SubjectURI] = true
			}
		}
		// Count first, then delete: a crash in between is repaired by the replay.
		if _, err := s.db.Collection(colStreamRecords).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: dels}}}}); err != nil {
			return fmt.Errorf("deleting stream records: %w", err)
		}
		var postDels []string
		for _, u := range dels {
			if strings.Contains(u, "/app.bsky.feed.post/") {
				postDels = append(postDels, u)
			}
		}
		if len(postDels) > 0 {
			for _, col := range []string{colStreamPosts, colStreamPending} {
				if _, err := s.db.Collection(col).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: postDels}}}}); err != nil {
					return fmt.Errorf("deleting stream posts: %w", err)
				}
			}
		}
	}
	if err := s.recount(ctx, touched); err != nil {
		return err
	}
	if b.Cursor > 0 {
		_, err := s.db.Collection(colStreamCursor).ReplaceOne(ctx, byID(b.Name), streamCursorDoc{ID: b.Name, Cursor: b.Cursor},
			options.Replace().SetUpsert(true))
		if err != nil {
			return fmt.Errorf("writing stream cursor %q: %w", b.Name, err)
		}
	}
	return nil
}

// recount sets the counts of the touched posts from their stored records.
func (s *Store) recount(ctx context.Context, touched map[string]bool) error {
	if len(touched) == 0 {
		return nil
	}
	uris := slices.Sorted(func(yield func(string) bool) {
		for u := range touched {
			if !yield(u) {
				return
			}
		}
	})
	type ref struct {
		Subject string `bson:"subjectUri"`
		Kind    string `bson:"kind"`
	}
	counts := map[string]*[4]int64{}
	for start := 0; start < len(uris); start += 500 {
		part := uris[start:min(start+500, len(uris))]
		refs, err := findAll[ref](ctx, s.db.Collection(colStreamRecords), "stream records to count",
			bson.D{{Key: "subjectUri", Value: bson.D{{Key: "$in", Value: part}}}},
			options.Find().SetProjection(bson.D{{Key: "subjectUri", Value: 1}, {Key: "kind", Value: 1}}))
		if err != nil {
			return err
		}
		for _, r := range refs {
			c := counts[r.Subject]
			if c == nil {
				c = new([4]int64)
				counts[r.Subject] = c
			}
			switch r.Kind {
			case store.RecordLike:
				c[0]++
			case store.RecordRepost:
				c[1]++
			case store.RecordReply:
				c[2]++
			case store.RecordQuote:
				c[3]++
			}
		}
	}
	models := make([]mongo.WriteModel, 0, len(uris))
	for _, u := range uris {
		var c [4]int64
		if p := counts[u]; p != nil {
			c = *p
		}
		models = append(models, mongo.NewUpdateOneModel().SetFilter(byID(u)).SetUpdate(bson.D{{Key: "$set", Value: bson.D{
			{Key: "likes", Value: c[0]}, {Key: "reposts", Value: c[1]}, {Key: "replies", Value: c[2]}, {Key: "quotes", Value: c[3]},
		}}}))
	}
	return bulk(ctx, s.db.Collection(colStreamPosts), models)
}

func (s *Store) applyStreamCreators(ctx context.Context, us []store.StreamCreatorUpdate) error {
	if len(us) == 0 {
		return nil
	}
	models := make([]mongo.WriteModel, 0, len(us))
	for _, u := range us {
		set := bson.D{}
		if u.Handle != "" {
			set = append(set, bson.E{Key: "handle", Value: u.Handle})
		}
		if u.Status != "" {
			set = append(set, bson.E{Key: "status", Value: u.Status})
		}
		upd := bson.D{}
		if len(set) > 0 {
			upd = append(upd, bson.E{Key: "$set", Value: set})
		}
		if u.Track {
			upd = append(upd, bson.E{Key: "$setOnInsert", Value: bson.D{
				{Key: "stage", Value: store.StageCandidate}, {Key: "firstSeen", Value: u.FirstSeen.UTC()},
			}})
		}
		if len(upd) == 0 {
			continue
		}
		models = append(models, mongo.NewUpdateOneModel().SetFilter(byID(u.DID)).SetUpdate(upd).SetUpsert(u.Track))
	}
	return bulk(ctx, s.db.Collection(colStreamCreators), models)
}

// activity is a creator's rolling activity from its posts in a window.
func (s *Store) activity(ctx context.Context, filter bson.D) (map[string]*store.StreamCreator, error) {
	type postRef struct {
		Creator   string    `bson:"creatorDid"`
		CreatedAt time.Time `bson:"createdAt"`
		Likes     int64     `bson:"likes"`
		Reposts   int64     `bson:"reposts"`
		Replies   int64     `bson:"replies"`
		Quotes    int64     `bson:"quotes"`
	}
	posts, err := findAll[postRef](ctx, s.db.Collection(colStreamPosts), "stream activity", filter,
		options.Find().SetProjection(bson.D{{Key: "creatorDid", Value: 1}, {Key: "createdAt", Value: 1},
			{Key: "likes", Value: 1}, {Key: "reposts", Value: 1}, {Key: "replies", Value: 1}, {Key: "quotes", Value: 1}}))
	if err != nil {
		return nil, err
	}
	out := map[string]*store.StreamCreator{}
	for _, p := range posts {
		a := out[p.Creator]
		if a == nil {
			a = &store.StreamCreator{}
			out[p.Creator] = a
		}
		a.Posts++
		a.Engagement += p.Likes + p.Reposts + p.Replies + p.Quotes
		if p.CreatedAt.After(a.LastPost) {
			a.LastPost = p.CreatedAt.UTC()
		}
	}
	return out, nil
}

func normCreator(c *store.StreamCreator) {
	c.FirstSeen, c.HydratedAt, c.ScoredAt = c.FirstSeen.UTC(), c.HydratedAt.UTC(), c.ScoredAt.UTC()
	if c.HydratedAt.Equal(time.Unix(0, 0)) {
		c.HydratedAt = time.Time{}
	}
}

// StreamCreators lists tracked creators with a post since q.Since, most
// engaged first. The activity is summed in Go (FerretDB's $group sums one
// field correctly, not several).
func (s *Store) StreamCreators(ctx context.Context, q store.StreamCreatorQuery) ([]store.StreamCreator, error) {
	act, err := s.activity(ctx, bson.D{{Key: "createdAt", Value: bson.D{{Key: "$gte", Value: q.Since.UTC()}}}})
	if err != nil {
		return nil, err
	}
	filter := bson.D{}
	if q.Stage != "" {
		filter = append(filter, bson.E{Key: "stage", Value: q.Stage})
	}
	cs, err := findAll[store.StreamCreator](ctx, s.db.Collection(colStreamCreators), "stream creators", filter, nil)
	if err != nil {
		return nil, err
	}
	var out []store.StreamCreator
	for _, c := range cs {
		a := act[c.DID]
		if a == nil || a.Engagement < q.MinEngagement {
			continue
		}
		if !q.ScoredBefore.IsZero() && !c.ScoredAt.IsZero() && !c.ScoredAt.Before(q.ScoredBefore) {
			continue
		}
		normCreator(&c)
		c.Posts, c.Engagement, c.LastPost = a.Posts, a.Engagement, a.LastPost
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b store.StreamCreator) int {
		if a.Engagement != b.Engagement {
			return int(b.Engagement - a.Engagement)
		}
		return strings.Compare(a.DID, b.DID)
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// StreamCreator returns one tracked creator with its activity since since.
func (s *Store) StreamCreator(ctx context.Context, did string, since time.Time) (store.StreamCreator, error) {
	var c store.StreamCreator
	err := s.db.Collection(colStreamCreators).FindOne(ctx, byID(did)).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return c, fmt.Errorf("stream creator %s: %w", did, store.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("reading stream creator %s: %w", did, err)
	}
	normCreator(&c)
	act, err := s.activity(ctx, bson.D{{Key: "creatorDid", Value: did}, {Key: "createdAt", Value: bson.D{{Key: "$gte", Value: since.UTC()}}}})
	if err != nil {
		return c, err
	}
	if a := act[did]; a != nil {
		c.Posts, c.Engagement, c.LastPost = a.Posts, a.Engagement, a.LastPost
	}
	return c, nil
}

// SetStreamStage records the funnel's verdict.
func (s *Store) SetStreamStage(ctx context.Context, did string, st store.StreamStage) error {
	set := bson.D{{Key: "stage", Value: st.Stage}, {Key: "reason", Value: st.Reason}}
	if st.Followers != nil {
		set = append(set, bson.E{Key: "followers", Value: *st.Followers})
	}
	if !st.HydratedAt.IsZero() {
		set = append(set, bson.E{Key: "hydratedAt", Value: st.HydratedAt.UTC()})
	}
	if !st.ScoredAt.IsZero() {
		set = append(set, bson.E{Key: "scoredAt", Value: st.ScoredAt.UTC()})
	}
	res, err := s.db.Collection(colStreamCreators).UpdateOne(ctx, byID(did), bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return fmt.Errorf("setting stream stage of %s: %w", did, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("stream creator %s: %w", did, store.ErrNotFound)
	}
	return nil
}

// StreamPending returns the pending posts created since since, oldest first.
func (s *Store) StreamPending(ctx context.Context, since time.Time) ([]store.StreamPost, error) {
	ps, err := findAll[store.StreamPost](ctx, s.db.Collection(colStreamPending), "pending posts",
		bson.D{{Key: "createdAt", Value: bson.D{{Key: "$gte", Value: since.UTC()}}}}, options.Find().SetSort(keys("createdAt", "_id")))
	for i := range ps {
		ps[i].CreatedAt, ps[i].SeenAt = ps[i].CreatedAt.UTC(), ps[i].SeenAt.UTC()
	}
	return ps, err
}

// StreamPosts returns a creator's posts since since, newest first.
func (s *Store) StreamPosts(ctx context.Context, did string, since time.Time) ([]store.StreamPost, error) {
	ps, err := findAll[store.StreamPost](ctx, s.db.Collection(colStreamPosts), "stream posts of "+did,
		bson.D{{Key: "creatorDid", Value: did}, {Key: "createdAt", Value: bson.D{{Key: "$gte", Value: since.UTC()}}}},
		options.Find().SetSort(keys("-createdAt", "-_id")))
	for i := range ps {
		ps[i].CreatedAt, ps[i].SeenAt = ps[i].CreatedAt.UTC(), ps[i].SeenAt.UTC()
	}
	return ps, err
}

// StreamRecords returns the interactions concerning a creator, oldest first.
func (s *Store) StreamRecords(ctx context.Context, did, kind string, since time.Time) ([]store.StreamRecord, error) {
	filter := bson.D{{Key: "creatorDid", Value: did}, {Key: "at", Value: bson.D{{Key: "$gte", Value: since.UTC()}}}}
	if kind != "" {
		filter = append(filter, bson.E{Key: "kind", Value: kind})
	} else {
		filter = append(filter, bson.E{Key: "kind", Value: bson.D{{Key: "$nin", Value: bson.A{store.RecordLike, store.RecordRepost}}}})
	}
	rs, err := findAll[store.StreamRecord](ctx, s.db.Collection(colStreamRecords), "stream records of "+did, filter,
		options.Find().SetSort(keys("at", "_id")))
	for i := range rs {
		rs[i].At = rs[i].At.UTC()
	}
	return rs, err
}

// PruneStream deletes what is older than before.
func (s *Store) PruneStream(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	lt := bson.D{{Key: "$lt", Value: before.UTC()}}
	for col, field := range map[string]string{colStreamPosts: "createdAt", colStreamRecords: "at"} {
		res, err := s.db.Collection(col).DeleteMany(ctx, bson.D{{Key: field, Value: lt}})
		if err != nil {
			return total, fmt.Errorf("pruning %s: %w", col, err)
		}
		total += res.DeletedCount
	}
	old, err := findAll[store.StreamCreator](ctx, s.db.Collection(colStreamCreators), "old stream creators",
		bson.D{{Key: "firstSeen", Value: lt}}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return total, err
	}
	act, err := s.activity(ctx, bson.D{})
	if err != nil {
		return total, err
	}
	var ids []string
	for _, c := range old {
		if act[c.DID] == nil {
			ids = append(ids, c.DID)
		}
	}
	for start := 0; start < len(ids); start += 500 {
		res, err := s.db.Collection(colStreamCreators).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids[start:min(start+500, len(ids))]}}}})
		if err != nil {
			return total, fmt.Errorf("pruning stream creators: %w", err)
		}
		total += res.DeletedCount
	}
	return total, nil
}
