package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// StatusError is an error status from the endpoint that retries did not
// cure (or that no retry can cure: 400, 401, 403, 404, an exhausted quota).
type StatusError struct {
	Status  int    // HTTP status
	Code    string // the API's error code, e.g. rate_limit_exceeded, insufficient_quota
	Message string // the API's message, shortened, the API key removed
	// RetryAfter is what a 429 or 503 asked for (0 when it named nothing).
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	s := "chat completion: HTTP " + strconv.Itoa(e.Status)
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(", retry after %v", e.RetryAfter)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// AnswerError is an answer that is not the JSON verdict asked for. It
// matches ErrBadAnswer.
type AnswerError struct {
	Reason string // what is wrong, e.g. "label \"suspicious\" is not organic, scripted or bot_like"
	Answer string // the start of the answer
}

func (e *AnswerError) Error() string {
	s := ErrBadAnswer.Error() + ": " + e.Reason
	if e.Answer != "" {
		s += fmt.Sprintf(" (answer %q)", e.Answer)
	}
	return s
}

// Is makes errors.Is(err, ErrBadAnswer) true.
func (e *AnswerError) Is(target error) bool { return target == ErrBadAnswer }

// failure is a failed attempt: the error to report, and whether and when to
// try again.
type failure struct {
	err        error
	retry      bool
	wait       time.Duration // 0: the judge's backoff
	noJSONMode bool          // the endpoint rejected response_format
}

// classify sorts a failed attempt's error.
func (j *Judge) classify(err error, ex *exchange, timedOut bool) failure {
	if timedOut {
		return failure{err: fmt.Errorf("chat completion: no answer within %v: %w", j.cfg.Timeout, context.DeadlineExceeded), retry: true}
	}
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	isReqErr := errors.As(err, &reqErr)
	isAPIErr := errors.As(err, &apiErr)
	if !isReqErr && !isAPIErr {
		if ex.status >= 200 && ex.status < 300 {
			// A 2xx whose body go-openai could not decode: tokens were
			// probably spent on an answer we cannot read.
			return failure{err: &AnswerError{Reason: "the response is not a chat completion: " + j.redact(err.Error())}}
		}
		var ue *url.Error
		if errors.As(err, &ue) { // connection refused or reset, DNS, TLS…
			return failure{err: j.redactErr(fmt.Errorf("chat completion: %w", err)), retry: true}
		}
		// go-openai's own checks (a model not served by chat completions,
		// parameters a reasoning model refuses): nothing was sent.
		return failure{err: j.redactErr(fmt.Errorf("chat completion: %w", err))}
	}

	se := &StatusError{Status: ex.status}
	var msg, param, typ string
	switch {
	case isAPIErr:
		msg, typ = apiErr.Message, apiErr.Type
		if apiErr.Code != nil {
			se.Code = fmt.Sprint(apiErr.Code)
		}
		if apiErr.Param != nil {
			param = *apiErr.Param
		}
		if se.Status == 0 {
			se.Status = apiErr.HTTPStatusCode
		}
	default:
		msg = string(reqErr.Body)
		if se.Status == 0 {
			se.Status = reqErr.HTTPStatusCode
		}
	}
	se.Message = shorten(j.redact(msg), 200) // redact first: a cut could split the key
	if se.Status == http.StatusTooManyRequests || se.Status == http.StatusServiceUnavailable {
		se.RetryAfter = retryAfter(ex.header, j.now())
	}

	switch {
	case se.Code == "insufficient_quota" || typ == "insufficient_quota":
		return failure{err: se} // a 429 that waiting does not cure
	case se.Code == "content_filter" || se.Code == "content_policy_violation":
		return failure{err: fmt.Errorf("%w by the endpoint's content filter: %w", ErrRefused, se)}
	case se.Status == http.StatusTooManyRequests || se.Status == http.StatusRequestTimeout ||
		se.Status == http.StatusConflict || se.Status >= 500:
		if se.RetryAfter > maxRetryWait {
			return failure{err: se}
		}
		return failure{err: se, retry: true, wait: se.RetryAfter}
	case se.Status == http.StatusBadRequest && mentionsResponseFormat(param, msg):
		return failure{err: se, noJSONMode: true}
	default:
		return failure{err: se}
	}
}

func mentionsResponseFormat(param, msg string) bool {
	if strings.HasPrefix(param, "response_format") {
		return true
	}
	m := strings.ToLower(msg)
	return strings.Contains(m, "response_format") || strings.Contains(m, "json_object") || strings.Contains(m, "response format")
}

// retryAfter reads how long a 429 or 503 asks to wait: retry-after-ms
// (OpenAI's, milliseconds), else Retry-After (seconds or an HTTP date).
// 0 when neither is there.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n > 0 {
			return time.Duration(n * float64(time.Millisecond))
		}
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			return max(0, time.Duration(n*float64(time.Second)))
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(0, t.Sub(now))
		}
	}
	return 0
}

// shorten trims s to at most n runes, marking the cut.
func shorten(s string, n int) string {
	s = strings.TrimSpace(s)
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
