package youtube

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// redactHandler wraps the logger handed to httpx and this package so that no
// log line can carry the API key, even when a server echoes it in an error
// body that httpx logs while retrying.
type redactHandler struct {
	h      slog.Handler
	secret string
}

// redactLogger returns log with the secret replaced by REDACTED in every
// message and attribute; log itself when there is no secret.
func redactLogger(log *slog.Logger, secret string) *slog.Logger {
	if secret == "" {
		return log
	}
	return slog.New(&redactHandler{h: log.Handler(), secret: secret})
}

func (r *redactHandler) Enabled(ctx context.Context, l slog.Level) bool { return r.h.Enabled(ctx, l) }

func (r *redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, r.scrub(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(r.attr(a))
		return true
	})
	return r.h.Handle(ctx, out)
}

func (r *redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = r.attr(a)
	}
	return &redactHandler{h: r.h.WithAttrs(clean), secret: r.secret}
}

func (r *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{h: r.h.WithGroup(name), secret: r.secret}
}

func (r *redactHandler) scrub(s string) string { return strings.ReplaceAll(s, r.secret, "REDACTED") }

func (r *redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, r.scrub(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = r.attr(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		if s := fmt.Sprint(v.Any()); strings.Contains(s, r.secret) {
			return slog.String(a.Key, r.scrub(s))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
