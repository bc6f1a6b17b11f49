package password

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// commonGz holds the common and breached passwords, one per line, sorted
// byte-wise and without duplicates; COMMON_PASSWORDS.md says where they come
// from and gen_common.go rebuilds the file.
//
//go:embed common_passwords.txt.gz
var commonGz []byte

// maxCommonSize bounds the decompressed list (about 4 MB today).
const maxCommonSize = 32 << 20

// commonList is the decompressed list: one string holding every entry
// followed by '\n', and the offset of each entry's '\n'. It takes about
// 6 MB for 427 000 entries, against about 30 MB for a map.
type commonList struct {
	blob string
	ends []uint32
}

// loadCommon decompresses the embedded list on first use; the list never
// changes, so it is shared by every Policy.
var loadCommon = sync.OnceValues(func() (*commonList, error) {
	return parseCommon(commonGz)
})

// parseCommon reads a gzip-compressed list and checks that it is sorted and
// has no empty or repeated entries, which lookups depend on.
func parseCommon(gz []byte) (*commonList, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("read common passwords: %w", err)
	}
	var sb strings.Builder
	sb.Grow(5 << 20)
	n, err := io.Copy(&sb, io.LimitReader(zr, maxCommonSize+1))
	if err != nil {
		return nil, fmt.Errorf("read common passwords: %w", err)
	}
	if n > maxCommonSize {
		return nil, fmt.Errorf("read common passwords: more than %d bytes", maxCommonSize)
	}
	blob := sb.String()
	if blob == "" || blob[len(blob)-1] != '\n' {
		return nil, errors.New("read common passwords: the list does not end with a newline")
	}
	l := &commonList{blob: blob, ends: make([]uint32, 0, strings.Count(blob, "\n"))}
	prev := ""
	for start := 0; start < len(blob); {
		end := start + strings.IndexByte(blob[start:], '\n')
		e := blob[start:end]
		if e == "" || (len(l.ends) > 0 && e <= prev) {
			return nil, fmt.Errorf("read common passwords: entry %d is empty, repeated or out of order", len(l.ends)+1)
		}
		l.ends = append(l.ends, uint32(end)) // #nosec G115 -- end < maxCommonSize
		prev, start = e, end+1
	}
	return l, nil
}

// len returns the number of entries.
func (l *commonList) len() int { return len(l.ends) }

// entry returns the i-th entry in sorted order.
func (l *commonList) entry(i int) string {
	start := 0
	if i > 0 {
		start = int(l.ends[i-1]) + 1
	}
	return l.blob[start:l.ends[i]]
}

// contains reports whether s is an entry, exactly.
func (l *commonList) contains(s string) bool {
	_, found := sort.Find(len(l.ends), func(i int) int { return strings.Compare(s, l.entry(i)) })
	return found
}

// isCommon reports whether pw, or pw in lower case, is on the list.
func isCommon(pw string) (bool, error) {
	l, err := loadCommon()
	if err != nil {
		return false, err
	}
	if l.contains(pw) {
		return true, nil
	}
	lower := strings.ToLower(pw)
	return lower != pw && l.contains(lower), nil
}
