package samplegen

import (
	"os"
	"testing"
)

func TestTmpRun(t *testing.T) {
	dir := os.Getenv("SG_DIR")
	if dir == "" {
		t.Skip()
	}
	if err := Demo(dir, Options{}); err != nil {
		t.Fatal(err)
	}
}
