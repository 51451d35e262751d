package ebpf

import (
	"bytes"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/internal/childtest"
	"github.com/sakersec/saker/receiver/event"
)

// highVolumeIO are the data transfer syscalls the shared probe leaves out:
// traced machine-wide they would flood its rings while other tests run.
// TestIOSyscalls turns them on for itself.
var highVolumeIO = []string{"read", "write", "pread64", "pwrite64", "readv", "writev", "preadv", "pwritev",
	"sendfile", "splice", "copy_file_range"}

// sharedSyscalls is the shared probe's set: every syscall with a program
// but highVolumeIO and highVolumeWait, plus testGeneric.
func sharedSyscalls() []string {
	var out []string
	for _, n := range Supported() {
		if !slices.Contains(highVolumeIO, n) && !slices.Contains(highVolumeWait, n) {
			out = append(out, n)
		}
	}
	return append(out, testGeneric...)
}

func init() {
	workloads.Add("io", helperIO)
}

// ioPayload is 100 bytes: more than the default snaplen (80).
var ioPayload = bytes.Repeat([]byte("saker-io-0123456789-"), 5)

// iov is an iovec over b.
func iov(b []byte) unix.Iovec { return unix.Iovec{Base: &b[0], Len: uint64(len(b))} }

// helperIO, in dir args[0], on file f (and g, a pipe, a UDP pair):
// write(ioPayload) at 0, pwrite64("PWRITE") at 200, read 64 then 128
// bytes from 0, a read of a bad fd, pread64 of 10 at 200, pwritev
// ["pv-a","pv-bb"] at 300, preadv [3,10] at 300, readv [4,8] at 300,
// writev ["vec-one-","vec-two"] at 400, sendfile(g, f, &3, 10),
// sendfile(g, f, NULL, 5) from f's offset 0, splice(f at 0 -> pipe,
// 16, MOVE|MORE), copy_file_range(f at 0 -> g at 50, 20), sendmmsg of
// two datagrams and recvmmsg of both.
func helperIO(args []string, out map[string]any) int {
	f, e := childtest.Raw(unix.SYS_OPENAT, childtest.AtFDCWD, uintptr(childtest.CStr(filepath.Join(args[0], "f"))), unix.O_RDWR|unix.O_CREAT|unix.O_TRUNC, 0o600)
	childtest.Must(out, "f", f, e)
	g, e := childtest.Raw(unix.SYS_OPENAT, childtest.AtFDCWD, uintptr(childtest.CStr(filepath.Join(args[0], "g"))), unix.O_RDWR|unix.O_CREAT|unix.O_TRUNC, 0o600)
	childtest.Must(out, "g", g, e)
	fd := uintptr(f)

	r, e := childtest.Raw(unix.SYS_WRITE, fd, uintptr(unsafe.Pointer(&ioPayload[0])), uintptr(len(ioPayload)))
	childtest.Must(out, "write", r, e)
	pw := []byte("PWRITE")
	r, e = childtest.Raw(unix.SYS_PWRITE64, fd, uintptr(unsafe.Pointer(&pw[0])), uintptr(len(pw)), 200)
	childtest.Must(out, "pwrite", r, e)

	unix.Seek(int(f), 0, 0) // lseek has no program: not traced
	buf := make([]byte, 256)
	r, e = childtest.Raw(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&buf[0])), 64)
	childtest.Must(out, "read64", r, e)
	r, e = childtest.Raw(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&buf[0])), 128)
	childtest.Must(out, "read128", r, e)
	r, e = childtest.Raw(unix.SYS_READ, 9999, uintptr(unsafe.Pointer(&buf[0])), 10)
	childtest.Must(out, "read_bad", r, e)
	r, e = childtest.Raw(unix.SYS_PREAD64, fd, uintptr(unsafe.Pointer(&buf[0])), 10, 200)
	childtest.Must(out, "pread", r, e)

	wv := []unix.Iovec{iov([]byte("pv-a")), iov([]byte("pv-bb"))}
	r, e = childtest.Raw(unix.SYS_PWRITEV, fd, uintptr(unsafe.Pointer(&wv[0])), 2, 300, 0)
	childtest.Must(out, "pwritev", r, e)
	b1, b2 := make([]byte, 3), make([]byte, 10)
	rv := []unix.Iovec{iov(b1), iov(b2)}
	r, e = childtest.Raw(unix.SYS_PREADV, fd, uintptr(unsafe.Pointer(&rv[0])), 2, 300, 0)
	childtest.Must(out, "preadv", r, e)
	unix.Seek(int(f), 300, 0)
	b3, b4 := make([]byte, 4), make([]byte, 8)
	rv2 := []unix.Iovec{iov(b3), iov(b4)}
	r, e = childtest.Raw(unix.SYS_READV, fd, uintptr(unsafe.Pointer(&rv2[0])), 2)
	childtest.Must(out, "readv", r, e)
	unix.Seek(int(f), 400, 0)
	wv2 := []unix.Iovec{iov([]byte("vec-one-")), iov([]byte("vec-two"))}
	r, e = childtest.Raw(unix.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&wv2[0])), 2)
	childtest.Must(out, "writev", r, e)

	off := int64(3)
	r, e = childtest.Raw(unix.SYS_SENDFILE, uintptr(g), fd, uintptr(unsafe.Pointer(&off)), 10)
	childtest.Must(out, "sendfile", r, e)
	out["sendfile_off"] = off
	unix.Seek(int(f), 0, 0)
	r, e = childtest.Raw(unix.SYS_SENDFILE, uintptr(g), fd, 0, 5)
	childtest.Must(out, "sendfile_null", r, e)

	var p [2]int32
	r, e = childtest.Raw(unix.SYS_PIPE2, uintptr(unsafe.Pointer(&p[0])), 0)
	childtest.Must(out, "pipe", r, e)
	out["pipe_r"], out["pipe_w"] = p[0], p[1]
	offIn := int64(0)
	r, e = childtest.Raw(unix.SYS_SPLICE, fd, uintptr(unsafe.Pointer(&offIn)), uintptr(p[1]), 0, 16, unix.SPLICE_F_MOVE|unix.SPLICE_F_MORE)
	childtest.Must(out, "splice", r, e)

	cin, cout := int64(0), int64(50)
	r, e = childtest.Raw(unix.SYS_COPY_FILE_RANGE, fd, uintptr(unsafe.Pointer(&cin)), uintptr(g), uintptr(unsafe.Pointer(&cout)), 20, 0)
	childtest.Must(out, "copy_file_range", r, e)
	out["cfr_in"], out["cfr_out"] = cin, cout

	mmsgs(out)
	runtime.KeepAlive(wv)
	runtime.KeepAlive(rv)
	runtime.KeepAlive(rv2)
	runtime.KeepAlive(wv2)
	return 0
}

// mmsgs: two UDP sockets u1, u2 on 127.0.0.1; sendmmsg from u2 of
// "mm-one" and "mm-two-2" (each with u1 as msg_name), recvmmsg on u1 of
// both into 32-byte buffers, asking for the source.
func mmsgs(out map[string]any) {
	u1, _ := childtest.Raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM, 0)
	u2, _ := childtest.Raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM, 0)
	any4 := childtest.Sockaddr4(0)
	childtest.Raw(unix.SYS_BIND, uintptr(u1), uintptr(unsafe.Pointer(&any4)), unsafe.Sizeof(any4))
	childtest.Raw(unix.SYS_BIND, uintptr(u2), uintptr(unsafe.Pointer(&any4)), unsafe.Sizeof(any4))
	out["u1"], out["u2"] = u1, u2
	out["u1port"], out["u2port"] = childtest.LocalPort(int(u1)), childtest.LocalPort(int(u2))
	dst := childtest.Sockaddr4(uint16(childtest.LocalPort(int(u1))))

	s1, s2 := []byte("mm-one"), []byte("mm-two-2")
	siov := []unix.Iovec{iov(s1), iov(s2)}
	var send [2]unix.Mmsghdr
	for i := range send {
		send[i].Hdr = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&dst)), Namelen: uint32(unsafe.Sizeof(dst)), Iov: &siov[i], Iovlen: 1}
	}
	r, e := childtest.Raw(unix.SYS_SENDMMSG, uintptr(u2), uintptr(unsafe.Pointer(&send[0])), 2, 0)
	childtest.Must(out, "sendmmsg", r, e)

	var from [2]unix.RawSockaddrInet4
	rb := [2][]byte{make([]byte, 32), make([]byte, 32)}
	riov := []unix.Iovec{iov(rb[0]), iov(rb[1])}
	var recv [2]unix.Mmsghdr
	for i := range recv {
		recv[i].Hdr = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&from[i])), Namelen: uint32(unsafe.Sizeof(from[i])), Iov: &riov[i], Iovlen: 1}
	}
	r, e = childtest.Raw(unix.SYS_RECVMMSG, uintptr(u1), uintptr(unsafe.Pointer(&recv[0])), 2, unix.MSG_DONTWAIT, 0)
	childtest.Must(out, "recvmmsg", r, e)
	runtime.KeepAlive(siov)
	runtime.KeepAlive(riov)
}

// Every new I/O event carries the parameters of what the helper did:
// results, fds, sizes, positions, offsets, flags, and the data truncated
// to snaplen (from the first iovec for the vectored calls). sendmmsg and
// recvmmsg write one event per message.
func TestIOSyscalls(t *testing.T) {
	p, _ := sharedProbe(t)
	if err := p.SetSyscalls(append(sharedSyscalls(), highVolumeIO...)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.SetSyscalls(sharedSyscalls()); err != nil {
			t.Error(err)
		}
	})
	r := runHelper(t, 0, "io", t.TempDir())
	f, g := r.ok(t, "f"), r.ok(t, "g")
	snap := ioPayload[:DefaultSnaplen]

	ev := r.one(t, event.SyscallWriteX, byInt(t, "fd", f))
	eq(t, "write res", pint(t, ev, "res"), r.ok(t, "write"))
	eq(t, "write res is the payload", pint(t, ev, "res"), 100)
	eqBytes(t, "write data (snaplen)", pbytes(t, ev, "data"), snap)
	eq(t, "write size", puint(t, ev, "size"), 100)

	ev = r.one(t, event.SyscallPwriteX, byInt(t, "fd", f))
	eq(t, "pwrite res", pint(t, ev, "res"), r.ok(t, "pwrite"))
	eqBytes(t, "pwrite data", pbytes(t, ev, "data"), []byte("PWRITE"))
	eq(t, "pwrite fd", pint(t, ev, "fd"), f)
	eq(t, "pwrite size", puint(t, ev, "size"), 6)
	eq(t, "pwrite pos", puint(t, ev, "pos"), 200)

	ev = r.one(t, event.SyscallReadX, func(ev *event.Event) bool { return pint(t, ev, "fd") == f && puint(t, ev, "size") == 64 })
	eq(t, "read res", pint(t, ev, "res"), r.ok(t, "read64"))
	eqBytes(t, "read data", pbytes(t, ev, "data"), ioPayload[:64])
	ev = r.one(t, event.SyscallReadX, func(ev *event.Event) bool { return pint(t, ev, "fd") == f && puint(t, ev, "size") == 128 })
	eq(t, "read of 128 res", pint(t, ev, "res"), r.ok(t, "read128"))
	eq(t, "read of 128 res is the rest up to the hole's end", pint(t, ev, "res"), 128)
	// Bytes 64..143: the payload's last 36, then the hole's zeros.
	want := append(slices.Clone(ioPayload[64:]), make([]byte, 80-36)...)
	eqBytes(t, "read of 128 data (snaplen)", pbytes(t, ev, "data"), want)
	ev = r.one(t, event.SyscallReadX, byInt(t, "fd", 9999))
	eq(t, "bad read res", pint(t, ev, "res"), -int64(unix.EBADF))
	eq(t, "bad read res as the helper saw it", pint(t, ev, "res"), r.num(t, "read_bad"))
	pempty(t, ev, "data")
	eq(t, "bad read size", puint(t, ev, "size"), 10)

	ev = r.one(t, event.SyscallPreadX, byInt(t, "fd", f))
	eq(t, "pread res", pint(t, ev, "res"), r.ok(t, "pread"))
	eqBytes(t, "pread data", pbytes(t, ev, "data"), []byte("PWRITE"))
	eq(t, "pread fd", pint(t, ev, "fd"), f)
	eq(t, "pread size", puint(t, ev, "size"), 10)
	eq(t, "pread pos", puint(t, ev, "pos"), 200)

	ev = r.one(t, event.SyscallPwritevX, byInt(t, "fd", f))
	eq(t, "pwritev res", pint(t, ev, "res"), r.ok(t, "pwritev"))
	eq(t, "pwritev res is both iovecs", pint(t, ev, "res"), 9)
	eqBytes(t, "pwritev data (first iovec)", pbytes(t, ev, "data"), []byte("pv-a"))
	eq(t, "pwritev fd", pint(t, ev, "fd"), f)
	eq(t, "pwritev size", puint(t, ev, "size"), 9)
	eq(t, "pwritev pos", puint(t, ev, "pos"), 300)

	ev = r.one(t, event.SyscallPreadvX, byInt(t, "fd", f))
	eq(t, "preadv res", pint(t, ev, "res"), r.ok(t, "preadv"))
	eq(t, "preadv size (all iovecs)", puint(t, ev, "size"), 13)
	eqBytes(t, "preadv data (first iovec)", pbytes(t, ev, "data"), []byte("pv-"))
	eq(t, "preadv fd", pint(t, ev, "fd"), f)
	eq(t, "preadv pos", puint(t, ev, "pos"), 300)

	ev = r.one(t, event.SyscallReadvX, byInt(t, "fd", f))
	eq(t, "readv res", pint(t, ev, "res"), r.ok(t, "readv"))
	eq(t, "readv res", pint(t, ev, "res"), 9)
	eq(t, "readv size (all iovecs)", puint(t, ev, "size"), 12)
	eqBytes(t, "readv data (first iovec)", pbytes(t, ev, "data"), []byte("pv-a"))

	ev = r.one(t, event.SyscallWritevX, byInt(t, "fd", f))
	eq(t, "writev res", pint(t, ev, "res"), r.ok(t, "writev"))
	eq(t, "writev res", pint(t, ev, "res"), 15)
	eqBytes(t, "writev data (first iovec)", pbytes(t, ev, "data"), []byte("vec-one-"))
	eq(t, "writev size", puint(t, ev, "size"), 15)

	ev = r.one(t, event.SyscallSendfileX, byInt(t, "res", r.ok(t, "sendfile")))
	eq(t, "sendfile res", pint(t, ev, "res"), 10)
	eq(t, "sendfile offset (after the call)", puint(t, ev, "offset"), uint64(r.ok(t, "sendfile_off")))
	eq(t, "sendfile offset", puint(t, ev, "offset"), 13)
	eq(t, "sendfile out_fd", pint(t, ev, "out_fd"), g)
	eq(t, "sendfile in_fd", pint(t, ev, "in_fd"), f)
	eq(t, "sendfile size", puint(t, ev, "size"), 10)
	ev = r.one(t, event.SyscallSendfileX, func(ev *event.Event) bool { return puint(t, ev, "size") == 5 })
	eq(t, "sendfile without offset res", pint(t, ev, "res"), r.ok(t, "sendfile_null"))
	eq(t, "sendfile without offset res", pint(t, ev, "res"), 5)
	eq(t, "sendfile without offset: offset", puint(t, ev, "offset"), 0)
	eq(t, "sendfile without offset: fds", [2]int64{pint(t, ev, "out_fd"), pint(t, ev, "in_fd")}, [2]int64{g, f})

	ev = r.one(t, event.SyscallSpliceX, byInt(t, "fd_in", f))
	eq(t, "splice res", pint(t, ev, "res"), r.ok(t, "splice"))
	eq(t, "splice res", pint(t, ev, "res"), 16)
	eq(t, "splice fd_in", pint(t, ev, "fd_in"), f)
	eq(t, "splice fd_out", pint(t, ev, "fd_out"), r.num(t, "pipe_w"))
	eq(t, "splice size", puint(t, ev, "size"), 16)
	eq(t, "splice flags", puint(t, ev, "flags"), 1|4) // PPM_SPLICE_F_MOVE | PPM_SPLICE_F_MORE

	ev = r.one(t, event.SyscallCopyFileRangeX, byInt(t, "fdin", f))
	eq(t, "copy_file_range res", pint(t, ev, "res"), r.ok(t, "copy_file_range"))
	eq(t, "copy_file_range res", pint(t, ev, "res"), 20)
	eq(t, "copy_file_range fdout", pint(t, ev, "fdout"), g)
	eq(t, "copy_file_range offout (after the call)", puint(t, ev, "offout"), uint64(r.ok(t, "cfr_out")))
	eq(t, "copy_file_range offout", puint(t, ev, "offout"), 70)
	eq(t, "copy_file_range fdin", pint(t, ev, "fdin"), f)
	eq(t, "copy_file_range offin", puint(t, ev, "offin"), uint64(r.ok(t, "cfr_in")))
	eq(t, "copy_file_range offin", puint(t, ev, "offin"), 20)
	eq(t, "copy_file_range len", puint(t, ev, "len"), 20)

	eq(t, "sendmmsg sent", r.ok(t, "sendmmsg"), 2)
	eq(t, "recvmmsg received", r.ok(t, "recvmmsg"), 2)
	u1port, u2port := r.num(t, "u1port"), r.num(t, "u2port")
	msgs := []string{"mm-one", "mm-two-2"}
	sent := r.of(event.SocketSendmmsgX, r.pid)
	if len(sent) != 2 {
		t.Fatalf("%d sendmmsg events, want one per message", len(sent))
	}
	for i, ev := range sent {
		eq(t, "sendmmsg res (message bytes)", pint(t, ev, "res"), int64(len(msgs[i])))
		eq(t, "sendmmsg fd", pint(t, ev, "fd"), r.num(t, "u2"))
		eq(t, "sendmmsg size", puint(t, ev, "size"), uint64(len(msgs[i])))
		eqBytes(t, "sendmmsg data", pbytes(t, ev, "data"), []byte(msgs[i]))
		tuple(t, ev, "sendmmsg (local -> msg_name)", u2port, u1port)
	}
	recvd := r.of(event.SocketRecvmmsgX, r.pid)
	if len(recvd) != 2 {
		t.Fatalf("%d recvmmsg events, want one per message", len(recvd))
	}
	for i, ev := range recvd {
		eq(t, "recvmmsg res (message bytes)", pint(t, ev, "res"), int64(len(msgs[i])))
		eq(t, "recvmmsg fd", pint(t, ev, "fd"), r.num(t, "u1"))
		eq(t, "recvmmsg size (the buffer)", puint(t, ev, "size"), 32)
		eqBytes(t, "recvmmsg data", pbytes(t, ev, "data"), []byte(msgs[i]))
		tuple(t, ev, "recvmmsg (source -> local)", u2port, u1port)
		pempty(t, ev, "msgcontrol")
	}
}
