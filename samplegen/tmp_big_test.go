package samplegen

import (
	"bufio"
	"os"
	"testing"
	"time"
)

func TestTmpBig(t *testing.T) {
	f, _ := os.Create("/tmp/sg/big.csv")
	defer f.Close()
	bw := bufio.NewWriter(f)
	st := time.Now()
	n, err := BigCSV(bw, 200000, 1)
	bw.Flush()
	t.Log(n, err, time.Since(st))
}
