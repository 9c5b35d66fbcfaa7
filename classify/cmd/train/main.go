// Command train rebuilds nanoscout's shipped classifier models from the
// labelled data in classify/data and writes them to classify/models (make
// train). The output is deterministic: running it twice, or on another
// machine, writes the same bytes. With -check it writes nothing and fails
// when the files on disk differ from a fresh build.
//
//	go run ./classify/cmd/train [-out classify/models] [-check]
package main

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nanoscout/nanoscout/classify/training"
)

func main() {
	out := flag.String("out", filepath.Join("classify", "models"), "directory to write the model files to")
	check := flag.Bool("check", false, "compare with the files in -out instead of writing them; exit 1 on a difference")
	flag.Parse()
	if err := run(*out, *check); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func run(dir string, check bool) error {
	files, err := training.Build()
	if err != nil {
		return fmt.Errorf("building models: %w", err)
	}
	stale := 0
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		if check {
			old, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(old, f.Data) {
				fmt.Printf("%s differs from a fresh build\n", path)
				stale++
			}
			continue
		}
		if err := writeFile(path, f.Data); err != nil {
			return err
		}
		fmt.Printf("%s  %8d bytes  sha256 %x\n", path, len(f.Data), sha256.Sum256(f.Data))
	}
	if stale > 0 {
		return fmt.Errorf("%d model file(s) are not what make train builds", stale)
	}
	if check {
		fmt.Printf("%s matches a fresh build\n", dir)
	}
	return nil
}

// writeFile replaces path atomically.
func writeFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".train-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
