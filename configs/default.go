package configs

import _ "embed"

// Default is default.yaml: the documented default configuration.
//
//go:embed default.yaml
var Default []byte
