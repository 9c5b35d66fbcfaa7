// Package redact takes secrets (API keys, access tokens) out of text and
// log records before they leave a collector.
package redact

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// String replaces every non-empty secret in s with REDACTED.
func String(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "REDACTED")
		}
	}
	return s
}

// handler is a slog.Handler that takes secrets out of the message and every
// attribute before passing the record on.
type handler struct {
	h       slog.Handler
	secrets []string
}

// NewHandler wraps h so that no message or attribute it receives carries
// one of the secrets.
func NewHandler(h slog.Handler, secrets []string) slog.Handler {
	return &handler{h: h, secrets: secrets}
}

func (r *handler) Enabled(ctx context.Context, l slog.Level) bool { return r.h.Enabled(ctx, l) }

func (r *handler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, String(rec.Message, r.secrets), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(r.attr(a))
		return true
	})
	return r.h.Handle(ctx, out)
}

func (r *handler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = r.attr(a)
	}
	return &handler{h: r.h.WithAttrs(clean), secrets: r.secrets}
}

func (r *handler) WithGroup(name string) slog.Handler {
	return &handler{h: r.h.WithGroup(name), secrets: r.secrets}
}

func (r *handler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, String(v.String(), r.secrets))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = r.attr(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		s := fmt.Sprint(v.Any())
		if c := String(s, r.secrets); c != s {
			return slog.String(a.Key, c)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
