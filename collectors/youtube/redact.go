package youtube

import (
	"log/slog"

	"github.com/nanoscout/nanoscout/collectors/internal/redact"
)

// redactLogger returns log with the secret replaced by REDACTED in every
// message and attribute; log itself when there is no secret. It wraps the
// logger handed to httpx and this package so that no log line can carry the
// API key, even when a server echoes it in an error body that httpx logs
// while retrying.
func redactLogger(log *slog.Logger, secret string) *slog.Logger {
	if secret == "" {
		return log
	}
	return slog.New(redact.NewHandler(log.Handler(), []string{secret}))
}
