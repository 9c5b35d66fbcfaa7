package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds a stmtCache. Top's query text depends on which
// filters are set and on the sort, not on their values (those are
// arguments), so a dashboard uses a few dozen; past the bound, queries are
// prepared each time as before.
const maxCachedStmts = 128

// stmtCache keeps prepared statements by query text, so that a list page
// does not parse and plan its query again (a twentieth of its CPU time).
// database/sql prepares each statement once per connection as it is used.
// The zero value is ready.
type stmtCache struct {
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	closed bool
}

// get returns the prepared statement of query and a release to call when
// done with it: a no-op for a cached statement, Close for one that could
// not be cached.
func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, func(), error) {
	c.mu.Lock()
	st, ok := c.stmts[query]
	c.mu.Unlock()
	if ok {
		return st, func() {}, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.stmts[query]; ok { // another request prepared it meanwhile
		st.Close()
		return prev, func() {}, nil
	}
	if c.closed || len(c.stmts) >= maxCachedStmts {
		return st, func() { st.Close() }, nil
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = st
	return st, func() {}, nil
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts, c.closed = nil, true
}
