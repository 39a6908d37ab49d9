package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
)

// moduleDir returns the module cache directory of module@version.
//
// `go mod download -json` is the one sanctioned way to reach upstream
// sources: it verifies the module against go.sum/the checksum database,
// reuses the local cache when the module is already there and never runs
// module code.
func moduleDir(module, version string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", module+"@"+version)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	// On failure the go command still prints a JSON object with an Error
	// field, which is more useful than the exit status alone.
	var info struct {
		Dir   string
		Error string
	}
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil {
		if runErr != nil {
			return "", fmt.Errorf("go mod download %s@%s: %w: %s", module, version, runErr, bytes.TrimSpace(stderr.Bytes()))
		}
		return "", fmt.Errorf("go mod download %s@%s: decode output: %w", module, version, err)
	}
	if info.Error != "" {
		return "", fmt.Errorf("go mod download %s@%s: %s", module, version, info.Error)
	}
	if runErr != nil {
		return "", fmt.Errorf("go mod download %s@%s: %w: %s", module, version, runErr, bytes.TrimSpace(stderr.Bytes()))
	}
	if info.Dir == "" {
		return "", fmt.Errorf("go mod download %s@%s: no Dir in output", module, version)
	}
	return info.Dir, nil
}
