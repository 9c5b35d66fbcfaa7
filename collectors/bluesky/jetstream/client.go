package jetstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/coder/websocket"

	"github.com/nanoscout/nanoscout/internal/backoff"
)

// Public Jetstream instances (bluesky-social/jetstream README).
var DefaultHosts = []string{
	"wss://jetstream1.us-east.bsky.network/subscribe",
	"wss://jetstream2.us-east.bsky.network/subscribe",
	"wss://jetstream1.us-west.bsky.network/subscribe",
	"wss://jetstream2.us-west.bsky.network/subscribe",
}

// Sink receives what a Client reads, from one goroutine, in stream order.
type Sink interface {
	// Event is called for every event that parsed. An error stops Run.
	Event(ctx context.Context, ev Event) error
	// Skipped is called for every message that did not parse (ErrMalformed,
	// ErrUnknown, ErrOversized); the stream goes on.
	Skipped(err error)
	// Connected is called after each successful dial, with the cursor asked
	// for (0 = live).
	Connected(host string, cursor int64)
	// Disconnected is called when a connection ends with an error, before
	// the backoff.
	Disconnected(host string, err error)
	// Gap is called when the first event after a resume is later than the
	// cursor asked for by more than Options.GapTolerance: the service no
	// longer holds the events in between (the cursor was older than its
	// retention), so they are lost.
	Gap(requested, first int64)
}

// Options configure a Client.
type Options struct {
	Hosts        []string      // subscribe URLs, tried in turn (default DefaultHosts)
	Collections  []string      // wantedCollections (default DefaultCollections)
	DIDs         []string      // wantedDids (none = every account)
	MaxEventSize int           // bytes; larger messages are skipped (default MaxEventBytes)
	MinBackoff   time.Duration // first reconnect delay (default 1 s)
	MaxBackoff   time.Duration // largest reconnect delay (default 1 min)
	GapTolerance time.Duration // see Sink.Gap (default 2 min; 0 keeps the default, <0 disables)
	HTTPClient   *http.Client
	Logger       *slog.Logger
}

// Client keeps one Jetstream subscription open.
type Client struct {
	o     Options
	sleep func(ctx context.Context, d time.Duration) error
	rand  func() float64
}

// New checks the options and returns a Client. It does no I/O.
func New(o Options) (*Client, error) {
	if len(o.Hosts) == 0 {
		o.Hosts = DefaultHosts
	}
	for _, h := range o.Hosts {
		u, err := url.Parse(h)
		if err != nil || (u.Scheme != "ws" && u.Scheme != "wss" && u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("jetstream host %q: want a ws:// or wss:// URL", h)
		}
	}
	if len(o.Collections) == 0 {
		o.Collections = DefaultCollections
	}
	if o.MaxEventSize <= 0 {
		o.MaxEventSize = MaxEventBytes
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(time.Minute, o.MinBackoff)
	}
	if o.GapTolerance == 0 {
		o.GapTolerance = 2 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Client{o: o, sleep: backoff.Sleep, rand: rand.Float64}, nil
}

// SubscribeURL is the URL a dial to host asks for, resuming at cursor (0 =
// live).
func (c *Client) SubscribeURL(host string, cursor int64) string {
	u, _ := url.Parse(host)
	q := u.Query()
	for _, col := range c.o.Collections {
		q.Add("wantedCollections", col)
	}
	for _, d := range c.o.DIDs {
		q.Add("wantedDids", d)
	}
	if cursor > 0 {
		q.Set("cursor", strconv.FormatInt(cursor, 10))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Run reads the stream until ctx ends or the sink fails, reconnecting after
// every connection error with exponential backoff and full jitter, moving to
// the next host each time. Before each dial it asks resume for the cursor to
// ask for (0 = live): the caller's stored cursor minus a safety margin. Run
// returns ctx's error or the sink's.
func (c *Client) Run(ctx context.Context, resume func() int64, sink Sink) error {
	attempt := 0
	for i := 0; ; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		host := c.o.Hosts[i%len(c.o.Hosts)]
		cursor := resume()
		got, err := c.session(ctx, host, cursor, sink)
		var serr sinkError
		if errors.As(err, &serr) {
			return serr.err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		sink.Disconnected(host, err)
		c.o.Logger.Warn("jetstream connection ended", "host", host, "err", err, "events", got)
		if got > 0 {
			attempt = 0 // it worked for a while: start the backoff again
		}
		if err := c.sleep(ctx, c.backoff(attempt)); err != nil {
			return err
		}
		attempt++
	}
}

// backoff is the reconnect delay for the attempt (0-based): exponential
// from MinBackoff to MaxBackoff, half of it random (package backoff).
func (c *Client) backoff(attempt int) time.Duration {
	return backoff.Delay(c.o.MinBackoff, c.o.MaxBackoff, attempt, c.rand())
}

type sinkError struct{ err error }

func (e sinkError) Error() string { return e.err.Error() }

// session dials once and reads until the connection fails; it returns how
// many events it delivered.
func (c *Client) session(ctx context.Context, host string, cursor int64, sink Sink) (int, error) {
	u := c.SubscribeURL(host, cursor)
	conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: c.o.HTTPClient})
	if err != nil {
		return 0, fmt.Errorf("dialing %s: %w", host, err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(-1) // size is enforced per message below, without dropping the connection
	sink.Connected(host, cursor)
	var buf bytes.Buffer
	n := 0
	for {
		typ, r, err := conn.Reader(ctx)
		if err != nil {
			return n, fmt.Errorf("reading from %s: %w", host, err)
		}
		buf.Reset()
		read, err := buf.ReadFrom(io.LimitReader(r, int64(c.o.MaxEventSize)+1))
		if err != nil {
			return n, fmt.Errorf("reading from %s: %w", host, err)
		}
		if read > int64(c.o.MaxEventSize) {
			rest, err := io.Copy(io.Discard, r)
			if err != nil {
				return n, fmt.Errorf("reading from %s: %w", host, err)
			}
			sink.Skipped(fmt.Errorf("%w: %d bytes (limit %d)", ErrOversized, read+rest, c.o.MaxEventSize))
			continue
		}
		if typ != websocket.MessageText {
			sink.Skipped(fmt.Errorf("%w: binary message (compression is not asked for)", ErrMalformed))
			continue
		}
		ev, err := Parse(buf.Bytes(), c.o.MaxEventSize)
		if err != nil {
			sink.Skipped(err)
			continue
		}
		if n == 0 && cursor > 0 && c.o.GapTolerance > 0 && ev.TimeUS-cursor > c.o.GapTolerance.Microseconds() {
			sink.Gap(cursor, ev.TimeUS)
		}
		n++
		if err := sink.Event(ctx, ev); err != nil {
			return n, sinkError{err}
		}
	}
}
