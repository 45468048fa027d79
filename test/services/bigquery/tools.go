//go:build tools

// Package tools pins goccy/bigquery-emulator for Hekate's tests.
//
// This module exists only so that test/services/bigquery.sh can build the emulator with
// `go build` from the committed go.mod/go.sum (-mod=readonly). A plain
// `go install github.com/goccy/bigquery-emulator/cmd/bigquery-emulator@v0.8.1` needs the
// proxy's `@v/list` for its deprecation check, which some registry mirrors refuse (403).
// To move to another emulator release: `go get github.com/goccy/bigquery-emulator@vX.Y.Z`,
// `go mod tidy`, update BQ_EMULATOR_VERSION in bigquery.sh and delete the cached binary.
package tools

import _ "github.com/goccy/bigquery-emulator/cmd/bigquery-emulator"
