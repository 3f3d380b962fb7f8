// Package main is the cchc command.
package main

// Temporary: keeps the owner's dependencies in go.mod until the code uses them.
import (
	_ "github.com/apache/arrow/go/v17/arrow/array"
	_ "github.com/marcboeker/go-duckdb"
	_ "github.com/robfig/cron/v3"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/viper"
	_ "github.com/xuri/excelize/v2"
	_ "golang.org/x/term"
	_ "golang.org/x/text/encoding/charmap"
	_ "golang.org/x/text/encoding/unicode"
	_ "golang.org/x/text/unicode/norm"
)

func main() {}
