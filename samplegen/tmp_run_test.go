package samplegen

import (
	"os"
	"testing"
	"time"
)

func TestTmpRun(t *testing.T) {
	dir := os.Getenv("SG_DIR")
	if dir == "" {
		t.Skip()
	}
	start := time.Now()
	if err := Demo(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	t.Log(time.Since(start))
}
