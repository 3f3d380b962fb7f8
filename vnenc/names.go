package vnenc

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Names are the values the `encoding:` key of a source accepts: "auto"
// (detect, the default) or the encoding every file of the source is in.
// "utf-16" takes the byte order from the BOM or, without one, from the
// position of the zero bytes (little endian when nothing tells).
var Names = []string{"auto", "utf-8", "utf-16", "windows-1258", "tcvn3", "vni"}

// Choice is an encoding chosen by name: Auto means detect.
type Choice struct {
	Auto  bool
	UTF16 bool // "utf-16": the byte order is still to be read from the file
	Enc   Encoding
}

// ParseName parses one of Names (case-insensitive; "" is auto; utf8,
// cp1258, abc, utf-16le and utf-16be are accepted spellings too).
func ParseName(name string) (Choice, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "auto":
		return Choice{Auto: true}, nil
	case "utf-8", "utf8":
		return Choice{Enc: UTF8}, nil
	case "utf-16", "utf16":
		return Choice{UTF16: true, Enc: UTF16LE}, nil
	case "utf-16le":
		return Choice{Enc: UTF16LE}, nil
	case "utf-16be":
		return Choice{Enc: UTF16BE}, nil
	case "windows-1258", "cp1258":
		return Choice{Enc: Windows1258}, nil
	case "tcvn3", "abc", "tcvn":
		return Choice{Enc: TCVN3}, nil
	case "vni":
		return Choice{Enc: VNI}, nil
	}
	return Choice{}, fmt.Errorf("unknown encoding %q (known: %s)", name, strings.Join(Names, ", "))
}

// NewReaderWith is NewReader with the source's `encoding:` choice and extra
// detection evidence (see DetectWith). A chosen encoding is used as it is,
// except that a UTF-8 or UTF-16 BOM at the start of the file is dropped; a
// choice of "utf-16" reads the byte order from the file.
func NewReaderWith(r io.Reader, c Choice, extra func(string) int) (io.Reader, Encoding, error) {
	br := bufio.NewReaderSize(r, SampleSize)
	sample, err := br.Peek(SampleSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, UTF8, err
	}
	e := c.Enc
	switch {
	case c.Auto:
		e = DetectWith(sample, extra)
	case c.UTF16:
		e = UTF16LE
		if bytes.HasPrefix(sample, UTF16BE.BOM()) {
			e = UTF16BE
		} else if d, ok := detectUTF16(sample); ok && !bytes.HasPrefix(sample, UTF16LE.BOM()) {
			e = d
		}
	case (e == Windows1258 || e == TCVN3 || e == VNI) && bytes.HasPrefix(sample, UTF8.BOM()):
		// A BOM is never legacy text: an editor added it.
		if _, err := br.Discard(3); err != nil {
			return nil, e, err
		}
	}
	return decodeReader(e, br), e, nil
}
