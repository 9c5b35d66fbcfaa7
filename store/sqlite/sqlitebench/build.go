// Package sqlitebench builds big SQLite stores of scored creators for the
// benchmarks of store/sqlite and server (up to tens of millions of
// creators), fast: the schema comes from the store's own migrations
// (sqlite.Open), the creators are export/exporttest's seeded ones, and the
// rows are what SaveCreators, PutSnapshot and Rerank would have written —
// TestBuildEqualsStoreAPI compares the two, column by column — but they are
// written in big transactions through one prepared statement, with the
// creators' secondary indexes and insert trigger set aside during the load
// and put back after it, and ANALYZE at the end.
//
// 10,000,000 creators built in 81 minutes on two cores shared with other builds;
// through SaveCreators the same store would take many hours.
package sqlitebench

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nanoscout/nanoscout/export/exporttest"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
	"github.com/nanoscout/nanoscout/store/internal/finite"
	"github.com/nanoscout/nanoscout/store/sqlite"
)

// Options say what Build stores.
type Options struct {
	// Creators is how many: exporttest.Creator(0 .. Creators-1), every one
	// scored, ranked within its platform and tier.
	Creators int
	// Snapshots is how many of them (the first ones) get their daily
	// snapshots stored: today's, and a week-old one for every fifth. Every
	// fifth creator's growth column is set either way, to what the store
	// computes from those two snapshots (store.Growth); the others have
	// none (unknown), as creators collected once. The list queries read the
	// growth column, never the snapshots.
	Snapshots int
	// NoBreakdowns stores the scores without their breakdowns (the
	// breakdown column NULL), as for a creator scored without one. A
	// breakdown is about 1.6 KB, and with it a row no longer shares its
	// 4 KB page: 10 M creators take ~48 GB with breakdowns, ~25 GB without.
	// Summary pages never read the column.
	NoBreakdowns bool
	// NoSearch leaves the keyword index (search_docs, search_fts) empty.
	NoSearch bool
	// Logf, when set, is told of the progress.
	Logf func(format string, args ...any)
}

// txRows is how many creators one write transaction inserts.
const txRows = 200_000

// Build creates dir/nanoscout.db (replacing a database there) with
// o.Creators scored creators. It is deterministic: the same options give
// the same rows.
func Build(ctx context.Context, dir string, o Options) (err error) {
	if o.Creators <= 0 {
		return fmt.Errorf("building a bench store: %d creators", o.Creators)
	}
	logf := o.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	start := time.Now()
	path := filepath.Join(dir, sqlite.FileName)
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("building a bench store: %w", err)
		}
	}
	// The schema, by the store's migrations.
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		return fmt.Errorf("building a bench store: %w", err)
	}
	if err := st.Close(); err != nil {
		return fmt.Errorf("building a bench store: %w", err)
	}

	ranks, err := rankAll(ctx, o.Creators)
	if err != nil {
		return err
	}
	logf("ranked %d creators in %v", o.Creators, time.Since(start).Round(time.Second))

	// No journal: a build that fails half-way leaves a database without
	// the "seeded" marker (Cached), which the next run builds again.
	q := url.Values{}
	for _, p := range []string{"journal_mode(OFF)", "synchronous(OFF)", "cache_size(-1048576)", "temp_store(FILE)", "threads(2)", "foreign_keys(OFF)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("building a bench store: %w", err)
	}
	db.SetMaxOpenConns(1)
	defer func() {
		if cerr := db.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("building a bench store: closing: %w", cerr)
		}
	}()
	// The creators' secondary indexes and insert trigger, set aside while
	// loading: the trigger's work (contact flag, growth, search document)
	// is done here, and an index is built faster at once than row by row.
	var restore []string
	rows, err := db.QueryContext(ctx, `SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'creators' AND sql IS NOT NULL
		AND (type = 'index' OR type = 'trigger' AND sql LIKE '%AFTER INSERT%') ORDER BY rowid`)
	if err != nil {
		return fmt.Errorf("building a bench store: %w", err)
	}
	var drops []string
	for rows.Next() {
		var kind, name, def string
		if err := rows.Scan(&kind, &name, &def); err != nil {
			rows.Close()
			return fmt.Errorf("building a bench store: %w", err)
		}
		drops, restore = append(drops, `DROP `+strings.ToUpper(kind)+` `+name), append(restore, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("building a bench store: %w", err)
	}
	if err := execAll(ctx, db, drops); err != nil {
		return err
	}

	if err := load(ctx, db, o, ranks, logf); err != nil {
		return err
	}
	logf("loaded %d creators in %v", o.Creators, time.Since(start).Round(time.Second))
	for _, def := range restore {
		t := time.Now()
		if _, err := db.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("building a bench store: restoring %s: %w", def, err)
		}
		logf("%s: %v", firstLine(def), time.Since(t).Round(time.Second))
	}
	// Planner statistics as the store gathers them after a migration
	// (refreshStats): a bounded ANALYZE.
	if err := execAll(ctx, db, []string{`PRAGMA analysis_limit = 1000`, `ANALYZE`, `PRAGMA journal_mode = WAL`}); err != nil {
		return err
	}
	logf("built %d creators in %v", o.Creators, time.Since(start).Round(time.Second))
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func execAll(ctx context.Context, db *sql.DB, stmts []string) error {
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("building a bench store: %s: %w", s, err)
		}
	}
	return nil
}

// parallel runs fn(lo, hi) over [0, n) in chunks on every CPU.
func parallel(ctx context.Context, n, chunk int, fn func(lo, hi int)) error {
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for lo := range next {
				fn(lo, min(lo+chunk, n))
			}
		})
	}
	var err error
	for lo := 0; lo < n; lo += chunk {
		if err = ctx.Err(); err != nil {
			break
		}
		next <- lo
	}
	close(next)
	wg.Wait()
	return err
}

// rankAll is each creator's rank within its platform and tier by
// composite score, ties by key, as Store.Rerank numbers them.
func rankAll(ctx context.Context, n int) ([]int32, error) {
	type entry struct {
		group     uint16 // platform and tier
		composite float64
	}
	entries := make([]entry, n)
	var mu sync.Mutex
	groups := map[string]uint16{}
	err := parallel(ctx, n, 10_000, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			u, _ := exporttest.Creator(i)
			g := u.Creator.Platform + "/" + u.Score.Tier
			mu.Lock()
			id, ok := groups[g]
			if !ok {
				id = uint16(len(groups))
				groups[g] = id
			}
			mu.Unlock()
			entries[i] = entry{id, finite.Float(u.Score.Composite)}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("building a bench store: %w", err)
	}
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		ea, eb := entries[a], entries[b]
		if c := cmp.Compare(ea.group, eb.group); c != 0 {
			return c
		}
		if c := cmp.Compare(eb.composite, ea.composite); c != 0 {
			return c
		}
		return strings.Compare(key(int(a)), key(int(b)))
	})
	ranks := make([]int32, n)
	var rank int32
	for j, i := range order {
		if j == 0 || entries[order[j-1]].group != entries[i].group {
			rank = 0
		}
		rank++
		ranks[i] = rank
	}
	return ranks, nil
}

func key(i int) string {
	u, _ := exporttest.Creator(i)
	return u.Creator.Key()
}

// row is one creator's insert, with its snapshots and search document.
type row struct {
	args      []any
	snapshots [][3]any
	search    string
}

const insertCreator = `INSERT INTO creators(key, platform, handle, tier, followers, er, reply_score, authenticity, composite, rank,
	status, updated_at, json, breakdown, has_contact, growth) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// load inserts the creators, encoded on every CPU and written in order.
func load(ctx context.Context, db *sql.DB, o Options, ranks []int32, logf func(string, ...any)) error {
	const chunk = 2000
	type batch struct {
		lo   int
		rows []row
		err  error
		done chan struct{}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work, order := make(chan *batch), make(chan *batch, 4*runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for b := range work {
				for i := b.lo; i < min(b.lo+chunk, o.Creators) && b.err == nil; i++ {
					var r row
					r, b.err = encode(i, ranks[i], o)
					b.rows = append(b.rows, r)
				}
				close(b.done)
			}
		})
	}
	go func() {
		defer close(order)
		defer close(work)
		for lo := 0; lo < o.Creators; lo += chunk {
			b := &batch{lo: lo, rows: make([]row, 0, chunk), done: make(chan struct{})}
			select {
			case order <- b:
			case <-ctx.Done():
				return
			}
			select {
			case work <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer wg.Wait()
	defer cancel()

	var (
		tx                *sql.Tx
		cst, sst, dst, ft *sql.Stmt
		done              int
		t0                = time.Now()
	)
	begin := func() error {
		var err error
		if tx, err = db.BeginTx(ctx, nil); err != nil {
			return err
		}
		for _, p := range []struct {
			s   **sql.Stmt
			sql string
		}{
			{&cst, insertCreator},
			{&sst, `INSERT INTO snapshots(creator_key, day, json) VALUES(?, ?, ?)`},
			{&dst, `INSERT INTO search_docs(id, creator_key) VALUES(?, ?)`},
			{&ft, `INSERT INTO search_fts(rowid, body) VALUES(?, ?)`},
		} {
			if *p.s, err = tx.PrepareContext(ctx, p.sql); err != nil {
				return err
			}
		}
		return nil
	}
	commit := func() error {
		if tx == nil {
			return nil
		}
		err := tx.Commit()
		tx = nil
		return err
	}
	defer func() {
		if tx != nil {
			_ = tx.Rollback()
		}
	}()
	for b := range order {
		<-b.done
		if b.err != nil {
			return b.err
		}
		for _, r := range b.rows {
			if tx == nil {
				if err := begin(); err != nil {
					return fmt.Errorf("building a bench store: %w", err)
				}
			}
			if _, err := cst.ExecContext(ctx, r.args...); err != nil {
				return fmt.Errorf("building a bench store: creator %d: %w", done, err)
			}
			for _, s := range r.snapshots {
				if _, err := sst.ExecContext(ctx, s[:]...); err != nil {
					return fmt.Errorf("building a bench store: snapshot of creator %d: %w", done, err)
				}
			}
			if !o.NoSearch {
				id := done + 1
				if _, err := dst.ExecContext(ctx, id, r.args[0]); err != nil {
					return fmt.Errorf("building a bench store: search document of creator %d: %w", done, err)
				}
				if _, err := ft.ExecContext(ctx, id, r.search); err != nil {
					return fmt.Errorf("building a bench store: search document of creator %d: %w", done, err)
				}
			}
			if done++; done%txRows == 0 {
				if err := commit(); err != nil {
					return fmt.Errorf("building a bench store: %w", err)
				}
				logf("%d creators written (%.0f/s)", done, float64(done)/time.Since(t0).Seconds())
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := commit(); err != nil {
		return fmt.Errorf("building a bench store: %w", err)
	}
	return nil
}

// encode is creator i's row as SaveCreators (then Rerank) writes it: the
// columns, the record's JSON without the breakdown, the breakdown's JSON,
// and what the insert trigger derives (contact flag, growth, search text).
func encode(i int, rank int32, o Options) (row, error) {
	u, history := exporttest.Creator(i)
	at := u.At
	sc := *u.Score
	sc.Rank = int(rank)
	if o.NoBreakdowns {
		sc.Breakdown = nil
	}
	rec := store.CreatorRecord{Key: u.Creator.Key(), Creator: u.Creator, Score: finite.Score(&sc), Status: model.StatusOK,
		LastCollected: at, LastScored: at, UpdatedAt: at}
	var breakdown any
	if rec.Score.Breakdown != nil {
		bb, err := json.Marshal(rec.Score.Breakdown)
		if err != nil {
			return row{}, fmt.Errorf("encoding creator %q's breakdown: %w", rec.Key, err)
		}
		breakdown = string(bb)
		lean := *rec.Score
		lean.Breakdown = nil
		rec.Score = &lean
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return row{}, fmt.Errorf("encoding creator %q: %w", rec.Key, err)
	}
	var r row
	// Growth from the snapshots a fifth of the creators have (a week-old
	// one, then today's), as scout.go's growthOf computes it.
	var growth any
	if i%5 == 0 {
		week, today := history[len(history)-7], u.Snapshot.Followers
		if week.Followers > 0 {
			growth = 100.0 * float64(today-week.Followers) / float64(week.Followers)
		}
		if i < o.Snapshots {
			if r.snapshots, err = appendSnapshot(r.snapshots, week); err != nil {
				return row{}, err
			}
		}
	}
	if i < o.Snapshots {
		if r.snapshots, err = appendSnapshot(r.snapshots, *u.Snapshot); err != nil {
			return row{}, err
		}
	}
	hasContact := 0
	if store.HasPublicContact(u.Creator) {
		hasContact = 1
	}
	c, s := rec.Creator, rec.Score
	r.args = []any{rec.Key, c.Platform, c.Handle, s.Tier, c.Followers, s.ER, s.ReplyDepth.Score, s.Authenticity, s.Composite, int64(rank),
		rec.Status, float64(rec.UpdatedAt.UnixMicro()) / 1e6, string(b), breakdown, hasContact, growth}
	// scout.go's searchBody: handle, display name, bio and the text of
	// the newest posts (none stored here).
	r.search = c.Handle + " " + c.DisplayName + " " + c.Bio + " "
	return r, nil
}

func appendSnapshot(out [][3]any, s model.Snapshot) ([][3]any, error) {
	s = finite.Snapshot(s)
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encoding snapshot %s/%s: %w", s.CreatorKey, s.Day, err)
	}
	return append(out, [3]any{s.CreatorKey, s.Day, string(b)}), nil
}

// Marker is the file Cached writes beside a finished store.
const Marker = "seeded"

// Cached returns root/creators-N (N = o.Creators), building the store there
// unless a finished one (its Marker holding N) is there already. Stores
// built by earlier builders of the server benchmarks, with the same marker,
// are reused as they are.
func Cached(ctx context.Context, root string, o Options) (dir string, built bool, err error) {
	dir = filepath.Join(root, fmt.Sprintf("creators-%d", o.Creators))
	if b, err := os.ReadFile(filepath.Join(dir, Marker)); err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(o.Creators) {
		return dir, false, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", false, fmt.Errorf("building a bench store: %w", err)
	}
	if err := Build(ctx, dir, o); err != nil {
		return "", false, err
	}
	if err := os.WriteFile(filepath.Join(dir, Marker), []byte(strconv.Itoa(o.Creators)+"\n"), 0o644); err != nil {
		return "", false, fmt.Errorf("building a bench store: %w", err)
	}
	return dir, true, nil
}

// FromEnv is the benchmarks' store as the environment sizes it:
// NANOSCOUT_BENCH_CREATORS creators (default 100,000), the first 50,000 of
// them with snapshots, without breakdowns when NANOSCOUT_BENCH_BREAKDOWNS
// is 0, kept under NANOSCOUT_BENCH_DIR (root; "" = nowhere).
func FromEnv() (root string, o Options) {
	o.Creators = 100_000
	if n, err := strconv.Atoi(os.Getenv("NANOSCOUT_BENCH_CREATORS")); err == nil && n > 0 {
		o.Creators = n
	}
	o.Snapshots = min(o.Creators, 50_000)
	o.NoBreakdowns = os.Getenv("NANOSCOUT_BENCH_BREAKDOWNS") == "0"
	return os.Getenv("NANOSCOUT_BENCH_DIR"), o
}

// EnvStore builds or finds the store FromEnv describes: Cached under its
// root, else built in a new temporary directory (temp true: the caller
// removes it).
func EnvStore(ctx context.Context, logf func(string, ...any)) (dir string, temp bool, err error) {
	root, o := FromEnv()
	o.Logf = logf
	if root != "" {
		dir, _, err = Cached(ctx, root, o)
		return dir, false, err
	}
	if dir, err = os.MkdirTemp("", "nanoscout-bench-"); err != nil {
		return "", false, fmt.Errorf("building a bench store: %w", err)
	}
	if err := Build(ctx, dir, o); err != nil {
		os.RemoveAll(dir)
		return "", false, err
	}
	return dir, true, nil
}
