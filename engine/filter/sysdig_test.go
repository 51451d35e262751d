package filter_test

import (
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/engine/filter"
	"github.com/sakersec/saker/internal/oracle"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
)

// Filters over fields saker extracts from the event alone, checked against
// sysdig 0.29 (same filter language, libs' implementation) on the shared
// traces: the events each filter matches must be the same. Not compared
// here: operators sysdig 0.29 lacks (hex numbers, bcontains: see
// filter_test.go), evt.category (for I/O events it depends on the fd type,
// which needs fd state), evt.buflen (sysdig 0.29 prints it but its filter
// comparisons on it do not match the printed values) and syscall.type on events whose category changed
// since sysdig 0.29's event table (procexit).
var sysdigFilters = []string{
	"evt.type=open", "evt.type in (open, openat, close)", "evt.type!=read", "not evt.type=close",
	"evt.type=openat or evt.type=open", "evt.dir=<", "evt.dir=>", "evt.dir!=>",
	"evt.arg.flags contains O_RDONLY", "evt.arg.flags contains O_CLOEXEC", "evt.arg.flags = O_RDONLY",
	"evt.arg.flags contains O_WRONLY and evt.arg.flags contains O_CREAT",
	"evt.arg.name startswith /etc", "evt.arg.name endswith .so.6", "evt.arg.name contains lib",
	"evt.arg.name icontains LIB", "evt.arg.name glob '/usr/*'", "evt.arg.name glob '*.so*'",
	"evt.arg.name pmatch (/etc, /usr/lib)", "evt.arg.name pmatch (/lib/x86_64-linux-gnu)", "evt.arg.name pmatch (/dev/)",
	"evt.arg.name in (/dev/null, /etc/ld.so.cache)", "evt.arg.name exists", "evt.arg.name = /dev/null",
	"evt.arg.name != /dev/null", "not evt.arg.name = /dev/null",
	"evt.arg.path exists", "evt.arg.path startswith /", "evt.arg[1] exists",
	"evt.res = SUCCESS", "evt.res != SUCCESS", "evt.res = ENOENT", "evt.res in (EAGAIN, ENOENT)",
	"evt.rawres < 0", "evt.rawres >= 3", "evt.rawres = 0", "evt.rawres != 0",
	"evt.failed = true", "evt.failed = false", "evt.failed != true",
	"evt.num > 100 and evt.num < 200", "evt.num in (1, 5, 10, 141)", "evt.num <= 50", "evt.num >= 1000",
	"evt.cpu = 0", "evt.cpu != 1", "evt.cpu in (0, 2)",
	"evt.is_open_read = true", "evt.is_open_write = true", "evt.is_open_read = false",
	"evt.is_io = true", "evt.is_io_read = true", "evt.is_io_write = true", "evt.io_dir = read", "evt.io_dir = write", "evt.is_wait = true",
	"syscall.type = open",
	"evt.buffer contains ELF", "evt.buffer startswith root",
	"(evt.type=open or evt.type=openat) and not evt.arg.name startswith /proc",
	"evt.type=close and evt.dir=> and not evt.num < 50",
	"evt.arg.mode exists", "evt.arg.mode = 0",
	"evt.rawarg.res < 0", "evt.rawarg.size > 100",
}

func TestFiltersAgainstSysdig(t *testing.T) {
	if testing.Short() {
		t.Skip("runs sysdig hundreds of times")
	}
	sysdig := oracle.Sysdig(t)
	_, file, _, _ := runtime.Caller(0)
	traces := filepath.Join(filepath.Dir(file), "../../../shared/research/falco/traces")
	captures := []string{"falco-test/cat_write.scap", "falco-test/connect_localhost.scap", "falco-test/open-multiple-files.scap",
		"falco-test/ping_sendto.scap", "falco-test/syscall.scap", "libs/sample.scap"}
	compiled := make([]*filter.Filter, len(sysdigFilters))
	for i, s := range sysdigFilters {
		ast, err := condition.Parse(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if compiled[i], _, err = (&filter.Compiler{}).Compile(ast); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	checked, nonEmpty := 0, 0
	for _, capName := range captures {
		path := filepath.Join(traces, capName)
		ours := make([][]uint64, len(sysdigFilters))
		r, err := scap.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		ctx := &fields.Ctx{}
		var ev event.Event
		for {
			err := r.Next(&ev)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Visibility() != scap.Visible {
				continue
			}
			ctx.Reset(&ev)
			for i, f := range compiled {
				if f.Match(ctx) {
					ours[i] = append(ours[i], ev.Num)
				}
			}
		}
		r.Close()
		theirs := make([][]uint64, len(sysdigFilters))
		var wg sync.WaitGroup
		sem := make(chan struct{}, 4)
		errs := make([]error, len(sysdigFilters))
		for i, s := range sysdigFilters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				out, err := exec.Command(sysdig, "-r", path, "-p", "%evt.num", s).Output()
				if err != nil {
					errs[i] = err
					return
				}
				for _, l := range strings.Fields(string(out)) {
					n, err := strconv.ParseUint(l, 10, 64)
					if err == nil {
						theirs[i] = append(theirs[i], n)
					}
				}
			}()
		}
		wg.Wait()
		for i, s := range sysdigFilters {
			if errs[i] != nil {
				t.Errorf("%s: sysdig %q: %v", capName, s, errs[i])
				continue
			}
			sort.Slice(theirs[i], func(a, b int) bool { return theirs[i][a] < theirs[i][b] })
			checked++
			if len(theirs[i]) > 0 {
				nonEmpty++
			}
			if !equal(ours[i], theirs[i]) {
				t.Errorf("%s: %q: saker matches %d events, sysdig %d; first differences: %s", capName, s, len(ours[i]), len(theirs[i]), diff(ours[i], theirs[i]))
			}
		}
	}
	if nonEmpty < checked/3 {
		t.Errorf("only %d of %d filter runs matched anything: the comparison is too weak", nonEmpty, checked)
	}
}

func equal(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func diff(a, b []uint64) string {
	in := func(s []uint64, x uint64) bool {
		i := sort.Search(len(s), func(i int) bool { return s[i] >= x })
		return i < len(s) && s[i] == x
	}
	var out []string
	for _, x := range a {
		if !in(b, x) && len(out) < 5 {
			out = append(out, "+"+strconv.FormatUint(x, 10))
		}
	}
	for _, x := range b {
		if !in(a, x) && len(out) < 10 {
			out = append(out, "-"+strconv.FormatUint(x, 10))
		}
	}
	return strings.Join(out, " ")
}
