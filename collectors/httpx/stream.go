package httpx

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/nanoscout/nanoscout/collectors"
)

// Stream is an open long-lived response (server-sent events): its body is
// read as it arrives, with no overall timeout. Close it when done.
type Stream struct {
	Header http.Header
	body   io.ReadCloser
	cancel context.CancelFunc
	n      atomic.Int64
}

// Read reads from the body and counts the bytes.
func (s *Stream) Read(p []byte) (int, error) {
	n, err := s.body.Read(p)
	s.n.Add(int64(n))
	return n, err
}

// Bytes is how many body bytes were read so far.
func (s *Stream) Bytes() int64 { return s.n.Load() }

// Close ends the request and closes the body.
func (s *Stream) Close() error {
	s.cancel()
	return s.body.Close()
}

// Stream opens a long-lived GET (an SSE endpoint) after waiting its turn on
// the platform's limiter; the request counts like any other. Only the
// response headers are bound by the per-request timeout; the body stays
// open until ctx ends or the server closes it. It is not retried: the
// caller decides how to reconnect. A non-2xx answer is returned as an
// error, as Get does (collectors.ErrAuthRequired for 401, ErrForbidden for
// 403, ErrNotFound for 404/410, *collectors.HTTPError otherwise, with the
// body's first bytes), together with the *Response holding the (small)
// body for callers that read error messages.
func (c *Client) Stream(ctx context.Context, rawURL string, header http.Header) (*Stream, *Response, error) {
	if err := c.waitTurn(ctx); err != nil {
		return nil, nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	req, err := c.newRequest(sctx, rawURL, header, "text/event-stream")
	if err != nil {
		cancel()
		return nil, nil, err
	}
	c.count(func(s *collectors.RequestStats) { s.Requests++ })
	// The timeout covers the wait for the response headers only.
	var late atomic.Bool
	headers := time.AfterFunc(c.timeout, func() { late.Store(true); cancel() })
	hr, err := c.hc.Do(req)
	if !headers.Stop() && err == nil {
		hr.Body.Close() // the timer fired as the answer came
		err = context.DeadlineExceeded
	}
	if err != nil {
		cancel()
		err = redactURLError(err)
		switch {
		case ctx.Err() != nil:
			return nil, nil, fmt.Errorf("GET %s: %w", redact(rawURL), ctx.Err())
		case late.Load():
			return nil, nil, fmt.Errorf("GET %s: no response headers within %s: %w", redact(rawURL), c.timeout, context.DeadlineExceeded)
		}
		return nil, nil, fmt.Errorf("GET %s: %w", redact(rawURL), err)
	}
	c.count(func(s *collectors.RequestStats) { s.ByStatus[hr.StatusCode]++ })
	if hr.StatusCode < 200 || hr.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(hr.Body, 64<<10))
		hr.Body.Close()
		cancel()
		r := &Response{Status: hr.StatusCode, Header: hr.Header, Body: body, URL: rawURL}
		if hr.StatusCode == http.StatusTooManyRequests {
			c.count(func(s *collectors.RequestStats) { s.Throttled++ })
		}
		return nil, r, statusError(r)
	}
	return &Stream{Header: hr.Header, body: hr.Body, cancel: cancel}, nil, nil
}
