package config

// LLM configures the optional LLM authenticity judge (off by default).
// (Owned by the authenticity work.)
type LLM struct {
}
