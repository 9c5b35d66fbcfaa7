package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
)

func TestStream(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			if r.Header.Get("Accept") != "text/event-stream" {
				t.Errorf("Accept %q", r.Header.Get("Accept"))
			}
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, ":)\n")
			w.(http.Flusher).Flush()
			<-release // the body stays open past the request timeout
			_, _ = io.WriteString(w, "event: delete\ndata: 1\n\n")
		case "/401":
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"Missing access token"}`)
		case "/slow":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	}))
	defer srv.Close()
	defer close(release)
	c := New(collectors.PlatformConfig{Timeout: 200 * time.Millisecond}, "test", nil)
	ctx := context.Background()

	s, _, err := c.Stream(ctx, srv.URL+"/ok", nil)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	if _, err := io.ReadFull(s, buf); err != nil || string(buf) != ":)\n" {
		t.Fatalf("read %q %v", buf, err)
	}
	time.Sleep(300 * time.Millisecond) // longer than the request timeout: the stream stays open
	release <- struct{}{}
	rest, err := io.ReadAll(s)
	if err != nil || string(rest) != "event: delete\ndata: 1\n\n" || s.Bytes() != int64(3+len(rest)) {
		t.Errorf("rest %q %v, %d bytes counted", rest, err, s.Bytes())
	}
	_ = s.Close()

	_, resp, err := c.Stream(ctx, srv.URL+"/401?access_token=secret", nil)
	if !errors.Is(err, collectors.ErrAuthRequired) || resp == nil || resp.Status != 401 || !strings.Contains(string(resp.Body), "Missing access token") {
		t.Errorf("401: %v %+v", err, resp)
	}
	if err != nil && strings.Contains(err.Error(), "secret") {
		t.Errorf("the token is in the error: %v", err)
	}

	_, _, err = c.Stream(ctx, srv.URL+"/slow", nil)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no response headers") {
		t.Errorf("slow: %v", err)
	}
	st := c.Stats()
	if st.Requests != 3 || st.ByStatus[200] != 1 || st.ByStatus[401] != 1 {
		t.Errorf("stats %+v", st)
	}
}
