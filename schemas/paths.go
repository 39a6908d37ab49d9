package schemas

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// manifestExts are the file extensions ValidatePaths picks up when walking
// a directory. A file named explicitly is validated whatever its name.
var manifestExts = []string{".yaml", ".yml", ".json"}

// ValidatePaths validates files and directory trees. Directories are walked
// recursively for *.yaml, *.yml and *.json files; directories whose names
// start with "." (.git, .github) are not entered, since they hold tooling
// configuration rather than manifests.
//
// Violations and I/O problems are reported separately: the returned error
// joins every path that could not be read (missing, unreadable), while the
// Report covers everything that could. Both may be non-empty.
func (v *Validator) ValidatePaths(paths ...string) (Report, error) {
	files, ioErrs := collectFiles(paths)

	// Files are independent, so validate them in parallel; the report is
	// sorted afterwards, so the result does not depend on scheduling. A
	// fixed set of workers rather than a goroutine per file: each grows
	// its stack once for the decoder's and validator's recursion, instead
	// of once per file.
	type result struct {
		rep Report
		err error
	}
	results := make([]result, len(files))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				data, err := os.ReadFile(files[i])
				if err != nil {
					results[i].err = err
					continue
				}
				results[i].rep, results[i].err = v.ValidateYAML(files[i], data)
			}
		})
	}
	wg.Wait()

	var rep Report
	for _, r := range results {
		if r.err != nil {
			ioErrs = append(ioErrs, r.err)
			continue
		}
		rep.add(r.rep)
	}
	sortViolations(rep.Violations)
	return rep, errors.Join(ioErrs...)
}

// collectFiles expands paths into a sorted, de-duplicated list of files.
func collectFiles(paths []string) ([]string, []error) {
	var files []string
	var errs []error
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if q != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if slices.Contains(manifestExts, strings.ToLower(filepath.Ext(q))) {
				files = append(files, q)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("walk %s: %w", p, err))
		}
	}
	slices.Sort(files)
	return slices.Compact(files), errs
}
