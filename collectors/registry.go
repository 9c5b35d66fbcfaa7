package collectors

import (
	"fmt"
	"sort"
	"sync"
)

// Factory builds a collector from its config. It must not do I/O.
type Factory func(env Env) (Collector, error)

var (
	mu       sync.RWMutex
	registry = map[string]Factory{}
)

// Register makes a collector available under name. It panics on a duplicate
// name, as that is a programming error.
func Register(name string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("collectors: %q registered twice", name))
	}
	registry[name] = f
}

// New builds the collector registered under name.
func New(name string, env Env) (Collector, error) {
	mu.RLock()
	f, ok := registry[name]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown platform %q (known: %v)", name, Names())
	}
	c, err := f(env)
	if err != nil {
		return nil, fmt.Errorf("building %s collector: %w", name, err)
	}
	return c, nil
}

// Names lists the registered platforms, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
