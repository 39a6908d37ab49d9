// Package kube is the harness's client side: it maps each rendered object to
// its REST resource through the server's discovery (so CRD kinds work once
// their CRDs are established) and sends it with server-side apply using the
// dynamic client.
//
// Why server-side apply with fieldValidation=Strict: it is what Flux applies
// with, it runs the full validation and admission chain (also in dry-run), and
// Strict turns unknown or duplicated fields into errors instead of warnings,
// which is what a generator test wants.
package kube
