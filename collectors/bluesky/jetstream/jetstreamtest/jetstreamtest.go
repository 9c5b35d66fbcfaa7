// Package jetstreamtest serves Jetstream events over a real WebSocket for
// tests: cursor replay, wantedCollections, wantedDids, and dropped
// connections.
package jetstreamtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"
)

// Server serves Lines (one JSON event each, in time_us order).
type Server struct {
	*httptest.Server
	mu    sync.Mutex
	lines [][]byte
	meta  []meta
	// DropAfter closes each connection after that many events (0 = never).
	DropAfter atomic.Int64
	// Conns counts accepted connections; Sent counts events written.
	Conns, Sent atomic.Int64
}

type meta struct {
	time int64
	did  string
	coll string
}

// New starts a server with lines.
func New(lines [][]byte) *Server {
	s := &Server{}
	s.Append(lines...)
	s.Server = httptest.NewServer(s)
	return s
}

// URL is the ws:// subscribe URL.
func (s *Server) URL() string { return "ws" + strings.TrimPrefix(s.Server.URL, "http") + "/subscribe" }

// Append adds events (live ones reach connected clients).
func (s *Server) Append(lines ...[]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range lines {
		var m struct {
			DID    string `json:"did"`
			TimeUS int64  `json:"time_us"`
			Commit *struct {
				Collection string `json:"collection"`
			} `json:"commit"`
		}
		_ = json.Unmarshal(l, &m) // bad frames are served as they are
		mt := meta{time: m.TimeUS, did: m.DID}
		if m.Commit != nil {
			mt.coll = m.Commit.Collection
		}
		s.lines = append(s.lines, l)
		s.meta = append(s.meta, mt)
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	s.Conns.Add(1)
	q := r.URL.Query()
	cursor, _ := strconv.ParseInt(q.Get("cursor"), 10, 64)
	cols, dids := q["wantedCollections"], q["wantedDids"]
	drop := s.DropAfter.Load()
	sent := int64(0)
	for i := 0; ; i++ {
		s.mu.Lock()
		if i >= len(s.lines) {
			s.mu.Unlock()
			break
		}
		l, m := s.lines[i], s.meta[i]
		s.mu.Unlock()
		if m.time != 0 && m.time < cursor {
			continue
		}
		if m.coll != "" && len(cols) > 0 && !slices.Contains(cols, m.coll) {
			continue
		}
		if len(dids) > 0 && !slices.Contains(dids, m.did) {
			continue
		}
		if drop > 0 && sent == drop {
			return
		}
		if err := c.Write(r.Context(), websocket.MessageText, l); err != nil {
			return
		}
		sent++
		s.Sent.Add(1)
	}
	<-r.Context().Done()
}
