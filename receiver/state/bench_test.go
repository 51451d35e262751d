package state

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
	"github.com/sakersec/saker/receiver/scap/scaptest"
)

// steadyMix builds a realistic steady-state event stream for processes
// that already exist: each of nproc processes opens one of a set of
// paths (absolute and cwd-relative), fstats, reads and writes it a few
// times, and closes it; plus fd-less syscalls. Exit events of the newest
// versions, as the kernel side sends them.
func steadyMix(tb testing.TB, s *State, nproc int) []event.Event {
	f := newFeeder(tb, s)
	for p := 0; p < nproc; p++ {
		f.proc(int64(1000+p), 1, fmt.Sprintf("worker%d", p), "-c", "x")
		f.open(int64(1000+p), 1, "/dev/pts/0", OpenWronly)
	}
	paths := []string{"/etc/passwd", "/etc/hosts", "lib/data.db", "/var/log/syslog", "../tmp/x", "/proc/self/status", "/usr/lib/x86_64-linux-gnu/libc.so.6", "conf/app.yaml"}
	var raws [][]byte
	ts := f.ts
	add := func(typ event.Type, tid int64, p P) {
		ts += 500
		raws = append(raws, mk(tb, typ, ts, tid, p))
	}
	for round := 0; round < 16; round++ {
		for p := 0; p < nproc; p++ {
			tid := int64(1000 + p)
			name := paths[(round+p)%len(paths)]
			fd := int64(3 + round%4)
			add(event.SyscallOpenatV2X, tid, P{"fd": fd, "dirfd": AtFDCWD, "name": name, "flags": OpenRdonly | OpenCloexec, "mode": 0, "dev": 0x803, "ino": 12345})
			add(event.SyscallFstatX, tid, P{"res": 0, "fd": fd})
			for i := 0; i < 3; i++ {
				add(event.SyscallReadX, tid, P{"res": 512, "data": make([]byte, 80), "fd": fd, "size": 512})
			}
			add(event.SyscallWriteX, tid, P{"res": 64, "data": make([]byte, 64), "fd": 1, "size": 64})
			add(event.SyscallGetuidX, tid, P{})
			add(event.SyscallCloseX, tid, P{"res": 0, "fd": fd})
		}
	}
	evs := make([]event.Event, len(raws))
	for i, r := range raws {
		if err := evs[i].Reset(r, 0); err != nil {
			tb.Fatal(err)
		}
	}
	// one pass to intern the names and size the tables
	for i := range evs {
		s.Update(&evs[i])
	}
	return evs
}

func TestSteadyUpdateAllocatesNothing(t *testing.T) {
	s := New(Config{})
	evs := steadyMix(t, s, 16)
	i := 0
	allocs := testing.AllocsPerRun(2000, func() {
		s.Update(&evs[i%len(evs)])
		i++
	})
	if allocs != 0 {
		t.Fatalf("%.3f allocations per event on the steady path", allocs)
	}
	st := s.stats
	if st.FailedFDLookups != 0 {
		t.Fatalf("steady mix has failed fd lookups: %+v", st)
	}
}

// BenchmarkUpdate measures Update alone (events already decoded) on the
// steady open/fstat/read/write/close mix of existing processes.
func BenchmarkUpdate(b *testing.B) {
	s := New(Config{})
	evs := steadyMix(b, s, 8)
	b.ReportAllocs()
	n := 0
	start, cpu0 := time.Now(), cpuTime()
	for b.Loop() {
		s.Update(&evs[n%len(evs)])
		n++
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/event")
}

// cpuTime is this process's user+system CPU time: on a shared, loaded
// machine it is a steadier cost measure than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

const benchCaptureEvents = 2_000_000

// benchMap maps plain captures, as saker replay does (scap.Options.Map;
// SAKER_BENCH_READ=1: read them instead).
var benchMap = os.Getenv("SAKER_BENCH_READ") == ""

// BenchmarkDecodeAndState reads a ≥2M-event capture (a real trace
// repeated with shifted timestamps, from package scaptest, uncompressed,
// mapped as saker replay maps it) on one goroutine — scap.Reader →
// scap.Converter → State.Update — and reports events/s, CPU ns/event and allocations per
// event of that path; the same for decode alone (Reader.Next, measured in
// the same run); and the ratio to sysdig's events/s on the same file
// (`sysdig -r FILE proc.name=no-such-proc`, timed once per run), by wall
// time (x-sysdig) and by CPU time (x-sysdig-cpu: steadier on a shared
// machine). Allocations are counted from the first event on: opening the
// file and loading its metadata are per-file costs.
func BenchmarkDecodeAndState(b *testing.B) {
	benchDecodeAndState(b, scap.WriterOptions{})
}

// BenchmarkDecodeAndStateGzip is BenchmarkDecodeAndState on the same
// capture gzip-compressed (how sysdig and Falco write captures).
func BenchmarkDecodeAndStateGzip(b *testing.B) {
	benchDecodeAndState(b, scap.WriterOptions{Gzip: true})
}

func benchDecodeAndState(b *testing.B, opts scap.WriterOptions) {
	path, n, err := scaptest.CachedLargeCaptureOptions(scaptest.DefaultTrace(), benchCaptureEvents, opts)
	if err != nil {
		b.Fatal(err)
	}
	warmPageCache(b, path)
	b.ReportAllocs()
	var withState, decodeOnly pass
	for b.Loop() {
		withState.add(b, path, true)
		decodeOnly.add(b, path, false)
	}
	evps := withState.rate()
	b.ReportMetric(evps, "events/s")
	b.ReportMetric(withState.cpuNs(), "cpu-ns/event")
	b.ReportMetric(withState.allocsPerEvent(), "allocs/event")
	b.ReportMetric(decodeOnly.rate(), "decode-only-events/s")
	b.ReportMetric(decodeOnly.cpuNs(), "decode-only-cpu-ns/event")
	b.ReportMetric(decodeOnly.allocsPerEvent(), "decode-only-allocs/event")
	if s, cpu := sysdigRate(b, path, n); s > 0 {
		b.ReportMetric(s, "sysdig-events/s")
		b.ReportMetric(1e9/cpu, "sysdig-cpu-ns/event")
		b.ReportMetric(evps/s, "x-sysdig")
		b.ReportMetric(withState.cpuRate()/cpu, "x-sysdig-cpu")
	}
}

type pass struct {
	events, mallocs uint64
	elapsed, cpu    time.Duration
}

func (p *pass) rate() float64    { return float64(p.events) / p.elapsed.Seconds() }
func (p *pass) cpuRate() float64 { return float64(p.events) / p.cpu.Seconds() }
func (p *pass) cpuNs() float64   { return float64(p.cpu.Nanoseconds()) / float64(max(p.events, 1)) }
func (p *pass) allocsPerEvent() float64 {
	return float64(p.mallocs) / float64(max(p.events, 1))
}

// add reads the capture once: decode only, or decode → convert → state
// as saker replay does. Time counts from the open of the file.
func (p *pass) add(b *testing.B, path string, withState bool) {
	start, cpu0 := time.Now(), cpuTime()
	r, err := scap.OpenOptions(path, scap.Options{Map: benchMap})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	var s *State
	var conv *scap.Converter
	if withState {
		s = New(Config{})
		s.LoadCapture(r.Metadata())
		conv = scap.NewConverter()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m0 := ms.Mallocs
	var e event.Event
	err = r.Guard(func() error {
		for {
			err := r.Next(&e)
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if s != nil {
				s.Update(conv.Convert(&e))
			}
			p.events++
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	p.elapsed += time.Since(start)
	p.cpu += cpuTime() - cpu0
	runtime.ReadMemStats(&ms)
	p.mallocs += ms.Mallocs - m0
}

// sysdigRates caches sysdig's rates per file for the run.
var sysdigRates = map[string][2]float64{}

// sysdigRate times sysdig on the file once per run: events/s by wall
// time and by its CPU time (user+system of the child).
func sysdigRate(b *testing.B, path string, events int) (float64, float64) {
	if r, ok := sysdigRates[path]; ok {
		return r[0], r[1]
	}
	w, c, ok := runSysdig(b, path)
	if !ok {
		return 0, 0
	}
	wall := float64(events) / w.Seconds()
	cpu := float64(events) / c.Seconds()
	sysdigRates[path] = [2]float64{wall, cpu}
	return wall, cpu
}

// BenchmarkReplayPipeline measures the replay path (decode → convert →
// State.Update) two ways in the same run — on one goroutine (serial:
// scap.Reader, scap.Converter, Update, as BenchmarkDecodeAndState) and
// pipelined (scap.Pipeline: reading, decoding and converting on a
// goroutine of its own, Update on the caller's) — next to sysdig 0.29 on
// the same file (`sysdig -r FILE proc.name=no-such-proc`, timed in every
// iteration, so each ratio compares runs made under the same load), on
// two kinds of ≥2M-event captures, each plain and gzip:
//
//   - old: a trace with enter/exit pairs and old event versions repeated
//     (what BenchmarkDecodeAndState reads; the converter rewrites 28% of
//     the events);
//   - exitonly: the same trace as current drivers send it (converted
//     once, managed enter events dropped, scaptest.ExitOnlyCapture): what
//     current Falco and saker captures hold; nothing to convert.
//
// Reported: events/s by wall time and CPU ns/event (user+system of the
// whole process: both goroutines and the GC) of each path, allocations
// per event of the pipelined path, sysdig's events/s and CPU ns/event,
// and the ratios: x-sysdig (pipelined wall events/s over sysdig's),
// x-sysdig-cpu (the same by CPU time), serial-x-sysdig(-cpu), and
// x-serial (pipelined over serial, wall); and decode-events/s and
// decode-x-sysdig: the pipelined replay with no state at all (the
// consumer only takes each event), the bound any decode+state replay on
// these two goroutines stays under. Plain captures are mapped, as
// saker replay maps them (scap.Options.Map); for them the pipelined path
// also runs on the file read instead (read-events/s), and x-read is the
// gain of mapping (mapped over read, wall); and the memory floor is
// measured (memoryFloor: only bringing the file's bytes through memory
// once), with x-floor (pipelined over floor, wall: 1 would be a replay as
// fast as reading the bytes) and floor-x-sysdig (floor over sysdig: the
// best x-sysdig an in-order reader could reach here).
func BenchmarkReplayPipeline(b *testing.B) {
	for _, kind := range []string{"old", "exitonly"} {
		for _, gz := range []bool{false, true} {
			name := kind + "/plain"
			if gz {
				name = kind + "/gzip"
			}
			b.Run(name, func(b *testing.B) { benchReplayPipeline(b, kind == "exitonly", gz) })
		}
	}
}

func benchReplayPipeline(b *testing.B, exitOnly, gz bool) {
	opts := scap.WriterOptions{Gzip: gz}
	capture := scaptest.CachedLargeCaptureOptions
	if exitOnly {
		capture = scaptest.CachedExitOnlyCapture
	}
	path, n, err := capture(scaptest.DefaultTrace(), benchCaptureEvents, opts)
	if err != nil {
		b.Fatal(err)
	}
	warmPageCache(b, path)
	b.ReportAllocs()
	var serial, piped, read, decode pass
	var sysWall, sysCPU, floor time.Duration
	sysRuns := 0
	for b.Loop() {
		serial.add(b, path, true)
		piped.addPipeline(b, path, benchMap)
		decode.addPipelineState(b, path, benchMap, false)
		if !gz && benchMap {
			read.addPipeline(b, path, false)
			floor += memoryFloor(b, path)
		}
		if w, c, ok := runSysdig(b, path); ok {
			sysWall += w
			sysCPU += c
			sysRuns++
		}
	}
	if piped.events == 0 {
		return
	}
	b.ReportMetric(piped.rate(), "events/s")
	b.ReportMetric(piped.cpuNs(), "cpu-ns/event")
	b.ReportMetric(piped.allocsPerEvent(), "allocs/event")
	b.ReportMetric(serial.rate(), "serial-events/s")
	b.ReportMetric(serial.cpuNs(), "serial-cpu-ns/event")
	b.ReportMetric(piped.rate()/serial.rate(), "x-serial")
	b.ReportMetric(decode.rate(), "decode-events/s")
	if read.events > 0 {
		b.ReportMetric(read.rate(), "read-events/s")
		b.ReportMetric(piped.rate()/read.rate(), "x-read")
		b.ReportMetric(float64(read.events)/floor.Seconds(), "floor-events/s")
		b.ReportMetric(piped.rate()*floor.Seconds()/float64(read.events), "x-floor")
	}
	if sysRuns > 0 {
		evs := float64(n * sysRuns)
		sWall := evs / sysWall.Seconds()
		sCPU := evs / sysCPU.Seconds()
		b.ReportMetric(sWall, "sysdig-events/s")
		b.ReportMetric(float64(sysCPU.Nanoseconds())/evs, "sysdig-cpu-ns/event")
		b.ReportMetric(piped.rate()/sWall, "x-sysdig")
		b.ReportMetric(piped.cpuRate()/sCPU, "x-sysdig-cpu")
		b.ReportMetric(serial.rate()/sWall, "serial-x-sysdig")
		b.ReportMetric(serial.cpuRate()/sCPU, "serial-x-sysdig-cpu")
		b.ReportMetric(decode.rate()/sWall, "decode-x-sysdig")
		if floor > 0 {
			b.ReportMetric(float64(read.events)/floor.Seconds()/sWall, "floor-x-sysdig")
		}
	}
}

// surveyTraces are the traces with more than 50 events, for
// BenchmarkReplayTraces.
var surveyTraces = []string{
	"falco-test/psp/run_as_user_0_container.scap", // the default trace: 3796 events, 28% context switches
	"libs/curl_google.scap",                       // 1221: opens, mmaps, reads, a connection
	"libs/sample.scap",                            // 402: switches, and the user lists of containers
	"falco-test/open-multiple-files.scap",         // 86: opens and closes
	"falco-test/cat_write.scap",                   // 85: an exec, and 86% procinfo events
	"libs/test_ipv6_client.scap",                  // 68: an exec and an IPv6 connection
}

// BenchmarkReplayTraces is the exit-only, pipelined, mapped measure of
// BenchmarkReplayPipeline (what saker replay does) on each trace of
// surveyTraces, repeated to 2M events, with sysdig 0.29 timed on the same
// file in every iteration: how the ratio to sysdig depends on the mix of
// events (BenchmarkReplayPipeline reads the default trace only).
func BenchmarkReplayTraces(b *testing.B) {
	for _, tr := range surveyTraces {
		b.Run(strings.TrimSuffix(filepath.Base(tr), ".scap"), func(b *testing.B) {
			path, n, err := scaptest.CachedExitOnlyCapture(filepath.Join(scaptest.TracesDir(), tr), benchCaptureEvents, scap.WriterOptions{})
			if err != nil {
				b.Fatal(err)
			}
			warmPageCache(b, path)
			b.ReportAllocs()
			var piped pass
			var sysWall time.Duration
			sysRuns := 0
			for b.Loop() {
				piped.addPipeline(b, path, benchMap)
				if w, _, ok := runSysdig(b, path); ok {
					sysWall += w
					sysRuns++
				}
			}
			b.ReportMetric(piped.rate(), "events/s")
			b.ReportMetric(piped.allocsPerEvent(), "allocs/event")
			if sysRuns > 0 {
				sWall := float64(n*sysRuns) / sysWall.Seconds()
				b.ReportMetric(sWall, "sysdig-events/s")
				b.ReportMetric(piped.rate()/sWall, "x-sysdig")
			}
		})
	}
}

// memoryFloor is the least time a mapped replay of the capture at path
// can take on this machine: map it, read one byte of every 64-byte cache
// line, in order, and unmap it — bringing the file through memory once,
// with no decoding at all. Its rate over sysdig's (floor-x-sysdig) bounds
// the x-sysdig of any reader that goes through the file in order on one
// CPU.
func memoryFloor(b *testing.B, path string) time.Duration {
	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		b.Fatal(err)
	}
	_ = syscall.Madvise(m, syscall.MADV_SEQUENTIAL)
	var sum byte
	for i := 0; i < len(m); i += 64 {
		sum += m[i]
	}
	if err := syscall.Munmap(m); err != nil {
		b.Fatal(err)
	}
	floorSink += sum
	return time.Since(start)
}

// warmPageCache reads the file once before anything is timed, so that
// every pass (saker's first one included, and sysdig's) reads it from the
// page cache: a capture evicted since it was written measured the disk
// (1 M events/s in one cold first pass).
func warmPageCache(b *testing.B, path string) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(io.Discard, f); err != nil {
		b.Fatal(err)
	}
}

// floorSink keeps memoryFloor's reads from being optimized away, and
// tidSink the decode-only replay's.
var (
	floorSink byte
	tidSink   int64
)

// addPipeline reads the capture once through a scap.Pipeline (mapped or
// read), applying every event to a new State on this goroutine. Time counts from the
// open of the file to the Pipeline's Close.
func (p *pass) addPipeline(b *testing.B, path string, mapped bool) {
	p.addPipelineState(b, path, mapped, true)
}

// addPipelineState is addPipeline, or with withState false the same
// replay without State.Update: the consumer only takes each event (Next
// and Event) and reads its thread id.
func (p *pass) addPipelineState(b *testing.B, path string, mapped, withState bool) {
	start, cpu0 := time.Now(), cpuTime()
	r, err := scap.OpenOptions(path, scap.Options{Map: mapped})
	if err != nil {
		b.Fatal(err)
	}
	s := New(Config{})
	s.LoadCapture(r.Metadata())
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m0 := ms.Mallocs
	pl := scap.NewPipeline(r, scap.PipelineOptions{})
	err = r.Guard(func() error {
		if !withState {
			for pl.Next() {
				tidSink += pl.Event().Tid()
				p.events++
			}
			return pl.Err()
		}
		for pl.Next() {
			s.Update(pl.Event())
			p.events++
		}
		return pl.Err()
	})
	if err != nil {
		b.Fatal(err)
	}
	pl.Close()
	p.elapsed += time.Since(start)
	p.cpu += cpuTime() - cpu0
	runtime.ReadMemStats(&ms)
	p.mallocs += ms.Mallocs - m0
}

// runSysdig times one `sysdig -r FILE proc.name=no-such-proc`: wall time
// and the child's CPU time (false if sysdig is missing outside CI).
func runSysdig(b *testing.B, path string) (wall, cpu time.Duration, ok bool) {
	bin, err := exec.LookPath("sysdig")
	if err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatal("sysdig is required under CI=true")
		}
		return 0, 0, false
	}
	cmd := exec.Command(bin, "-r", path, "proc.name=no-such-proc")
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("sysdig: %v %s", err, out)
	}
	return time.Since(start), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), true
}
