package schemas

import (
	"embed"
	"io/fs"
)

// embedded holds the generated schemas. Directories are listed explicitly:
// embedding "." would also pull in the Go sources and testdata.
//
//go:embed kubernetes crds config
var embedded embed.FS

// FS returns the embedded schema files, rooted at this directory.
func FS() fs.FS {
	return embedded
}
