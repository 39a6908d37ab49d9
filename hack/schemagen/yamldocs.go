package main

import "bytes"

// splitYAMLDocuments splits a YAML stream at "---" separator lines and
// drops documents without content. CRD
// files are plain generated YAML, so a line-based split is exact for them
// and avoids a YAML dependency beyond sigs.k8s.io/yaml, which only decodes
// single documents.
func splitYAMLDocuments(data []byte) [][]byte {
	var docs [][]byte
	var cur []byte
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		trimmed := bytes.TrimRight(line, "\r\n")
		if bytes.Equal(trimmed, []byte("---")) || bytes.HasPrefix(trimmed, []byte("--- ")) {
			docs = append(docs, cur)
			cur = nil
			continue
		}
		cur = append(cur, line...)
	}
	docs = append(docs, cur)
	out := docs[:0]
	for _, d := range docs {
		if hasContent(d) {
			out = append(out, d)
		}
	}
	return out
}

// hasContent reports whether a document has more than blank lines and
// comments.
func hasContent(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) > 0 && t[0] != '#' {
			return true
		}
	}
	return false
}
