package mastodon

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// The server-sent events format (WHATWG HTML, "Server-sent events", the
// event stream interpretation), as far as Mastodon's streaming server uses
// it: lines "field: value", an empty line ends an event, lines starting
// with ':' are comments (Mastodon's ":)" greeting and ":thump" heartbeats),
// several data lines join with '\n'. The fields id and retry are read and
// ignored (Mastodon sends neither, and its streams cannot be resumed). A
// lone CR is not taken as a line end: Mastodon ends lines with LF, and a CR
// before it is dropped. It is a few dozen lines on bufio; an SSE library
// would bring its own connection and reconnect handling, which the
// collector needs to own (fallback to polling on 401/403/404, the shared
// rate limiter and request counters, gap filling after a drop).

// sseEvent is one dispatched event: its type ("message" when the stream
// named none) and its data. Oversized is set when the data went over the
// reader's limit; it was then cut and should be skipped.
type sseEvent struct {
	Name      string
	Data      []byte
	Oversized bool
}

// sseReader reads events from an event stream.
type sseReader struct {
	r   *bufio.Reader
	max int // largest data kept per event
	// Comments counts comment lines (heartbeats) read so far.
	Comments int
}

func newSSEReader(r io.Reader, max int) *sseReader {
	return &sseReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// Next returns the next event with data. It returns io.EOF when the stream
// ends; an event the stream left unfinished is dropped, as the format says.
func (s *sseReader) Next() (sseEvent, error) {
	var ev sseEvent
	var data bytes.Buffer
	hasData := false
	for {
		line, long, err := s.line()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return sseEvent{}, io.EOF
			}
			return sseEvent{}, err
		}
		if len(line) == 0 && !long {
			if !hasData {
				ev = sseEvent{} // an event without data is not dispatched
				continue
			}
			if ev.Name == "" {
				ev.Name = "message"
			}
			ev.Data = data.Bytes()
			return ev, nil
		}
		if line[0] == ':' {
			s.Comments++
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "event":
			ev.Name = string(value)
		case "data":
			if hasData {
				data.WriteByte('\n')
			}
			hasData = true
			if long || data.Len()+len(value) > s.max {
				ev.Oversized = true
				continue
			}
			data.Write(value)
		}
	}
}

// line reads one line without its line end. A line longer than the
// reader's buffer and limit is cut (long is set) and the rest discarded.
func (s *sseReader) line() (line []byte, long bool, err error) {
	var buf []byte
	for {
		chunk, err := s.r.ReadSlice('\n')
		switch {
		case err == nil:
			if !long {
				buf = append(buf, chunk...)
			}
			buf = bytes.TrimSuffix(bytes.TrimSuffix(buf, []byte("\n")), []byte("\r"))
			return buf, long, nil
		case errors.Is(err, bufio.ErrBufferFull):
			if len(buf)+len(chunk) > s.max+64 {
				long = true
			}
			if !long {
				buf = append(buf, chunk...)
			}
		default:
			return nil, false, err
		}
	}
}
