package collectors_test

import (
	"context"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/collectors"
	"github.com/nanoscout/nanoscout/model"
)

type nop struct{}

func (nop) Platform() string { return "nop-test" }
func (nop) Profile(context.Context, string) (model.Creator, error) {
	return model.Creator{}, nil
}
func (nop) Posts(context.Context, model.Creator, string) (collectors.PostPage, error) {
	return collectors.PostPage{}, nil
}
func (nop) Thread(context.Context, model.Creator, model.Post) ([]model.Comment, error) {
	return nil, nil
}

func TestRegistry(t *testing.T) {
	collectors.Register("nop-test", func(collectors.Env) (collectors.Collector, error) { return nop{}, nil })
	c, err := collectors.New("nop-test", collectors.Env{})
	if err != nil || c.Platform() != "nop-test" {
		t.Fatalf("New: %v %v", c, err)
	}
	if _, err := collectors.New("myspace", collectors.Env{}); err == nil || !strings.Contains(err.Error(), "myspace") {
		t.Errorf("unknown platform: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a name twice did not panic")
		}
	}()
	collectors.Register("nop-test", func(collectors.Env) (collectors.Collector, error) { return nop{}, nil })
}

func TestSecretReadsNamedEnvVar(t *testing.T) {
	env := collectors.Env{
		Config: collectors.PlatformConfig{Credentials: map[string]string{"token": "MY_TOKEN"}},
		Getenv: func(k string) string { return map[string]string{"MY_TOKEN": "s3cret"}[k] },
	}
	if got := env.Secret("token"); got != "s3cret" {
		t.Errorf("Secret = %q", got)
	}
	if got := env.Secret("other"); got != "" {
		t.Errorf("unset secret = %q", got)
	}
}
