package state

import (
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

func TestParsePasswdGroup(t *testing.T) {
	passwd := `root:x:0:0:root:/root:/bin/bash
# a comment

daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
+nisuser::::::
alice:x:1000:1000:Alice,,,:/home/alice:/bin/zsh
`
	users, err := ParsePasswd(strings.NewReader(passwd), "passwd")
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 3 || users[2] != (User{UID: 1000, GID: 1000, Name: "alice", Home: "/home/alice", Shell: "/bin/zsh"}) {
		t.Fatalf("users = %+v", users)
	}
	groups, err := ParseGroup(strings.NewReader("root:x:0:\nadm:x:4:syslog,alice\nnogroup:x:65534:\n"), "group")
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 3 || groups[1] != (Group{GID: 4, Name: "adm"}) {
		t.Fatalf("groups = %+v", groups)
	}
	for _, bad := range []struct{ in, want string }{
		{"root:x:0:0:root:/root\n", "passwd:1: passwd entry has 6 fields"},
		{"ok:x:1:1::/:/bin/sh\nbad:x:uid:0::/:/bin/sh\n", `passwd:2: bad uid "uid"`},
		{"bad:x:1:99999999999::/:/bin/sh\n", `passwd:1: bad gid`},
	} {
		_, err := ParsePasswd(strings.NewReader(bad.in), "passwd")
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: error %v, want %q", bad.in, err, bad.want)
		}
	}
	if _, err := ParseGroup(strings.NewReader("g:x\n"), "group"); err == nil || !strings.Contains(err.Error(), "group:1:") {
		t.Fatalf("short group line: %v", err)
	}
	// an absurdly long line is an error, not unbounded memory
	if _, err := ParsePasswd(strings.NewReader(strings.Repeat("a", 2*maxEtcLine)), "passwd"); err == nil {
		t.Fatal("overlong line accepted")
	}
}

func TestUserNames(t *testing.T) {
	var u Users
	u.init()
	u.AddUser(User{UID: 1000, Name: "alice"})
	u.AddGroup(Group{GID: 1000, Name: "staff"})
	for _, c := range []struct {
		got, want string
	}{
		{u.UserName(1000), "alice"},
		{u.UserName(0), "root"},
		{u.UserName(4242), "<NA>"},
		{u.GroupName(1000), "staff"},
		{u.GroupName(0), "root"},
		{u.GroupName(4242), "<NA>"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if u.User(4242) != nil || u.User(1000).Name != "alice" {
		t.Fatal("lookup")
	}
}

func TestLoadEtcOfThisMachine(t *testing.T) {
	var u Users
	u.init()
	if err := u.LoadEtc("/"); err != nil {
		t.Fatal(err)
	}
	me, err := user.Current()
	if err != nil {
		skipOrFail(t, "%v", err)
	}
	uid, _ := strconv.ParseUint(me.Uid, 10, 32)
	if got := u.UserName(uint32(uid)); got != me.Username {
		t.Fatalf("uid %d: %q, want %q (os/user)", uid, got, me.Username)
	}
	g, err := user.LookupGroupId(me.Gid)
	if err == nil {
		gid, _ := strconv.ParseUint(me.Gid, 10, 32)
		if got := u.GroupName(uint32(gid)); got != g.Name {
			t.Fatalf("gid %d: %q, want %q", gid, got, g.Name)
		}
	}
	// a root with no /etc files is fine
	if err := u.LoadEtc(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	// a malformed file is an error naming it
	dir := t.TempDir()
	os.MkdirAll(dir+"/etc", 0o755)
	os.WriteFile(dir+"/etc/passwd", []byte("broken\n"), 0o644)
	if err := u.LoadEtc(dir); err == nil || !strings.Contains(err.Error(), dir+"/etc/passwd:1") {
		t.Fatalf("malformed passwd: %v", err)
	}
}

// A container's users are read from its own /etc (here: a fake root
// under procfs), never taken from the host.
func TestUsersOfContainer(t *testing.T) {
	procfs := t.TempDir()
	etc := filepath.Join(procfs, "4242", "root", "etc")
	os.MkdirAll(etc, 0o755)
	os.WriteFile(filepath.Join(etc, "passwd"), []byte("root:x:0:0::/root:/bin/sh\nwww:x:33:33::/var/www:/bin/false\n"), 0o644)
	os.WriteFile(filepath.Join(etc, "group"), []byte("root:x:0:\nwww:x:33:\n"), 0o644)
	s := New(Config{ProcFS: procfs})
	s.Users().AddUser(User{UID: 33, Name: "host-data"})
	in := &Thread{Tid: 4242, Pid: 4242, ContainerID: id64[:12]}
	if got := s.UsersOf(in).UserName(33); got != "www" {
		t.Fatalf("container uid 33 = %q", got)
	}
	if got := s.UsersOf(in).GroupName(33); got != "www" {
		t.Fatalf("container gid 33 = %q", got)
	}
	host := &Thread{Tid: 1, Pid: 1, ContainerID: hostID}
	if got := s.UsersOf(host).UserName(33); got != "host-data" {
		t.Fatalf("host uid 33 = %q", got)
	}
	// a container whose /etc cannot be read: unknown ids, not the host's
	other := &Thread{Tid: 5, Pid: 5, ContainerID: id64b[:12]}
	if got := s.UsersOf(other).UserName(33); got != "<NA>" {
		t.Fatalf("unreadable container uid 33 = %q", got)
	}
	if got := s.UsersOf(other).UserName(0); got != "root" {
		t.Fatalf("uid 0 = %q", got)
	}
}

func TestUserEvents(t *testing.T) {
	f := newFeeder(t, nil)
	f.do(event.UserAddedE, -1, P{"uid": 2000, "gid": 2000, "name": "bob", "home": "/home/bob", "shell": "/bin/sh", "container_id": ""})
	f.do(event.GroupAddedE, -1, P{"gid": 2000, "name": "bob", "container_id": ""})
	u := f.s.Users()
	if u.UserName(2000) != "bob" || u.User(2000).Home != "/home/bob" || u.GroupName(2000) != "bob" {
		t.Fatal("user/group added events not applied")
	}
	// users of a container go to its own table
	f.do(event.UserAddedE, -1, P{"uid": 2000, "gid": 2000, "name": "app", "home": "/app", "shell": "/bin/sh", "container_id": id64[:12]})
	c := f.proc(300, 1, "srv")
	c.ContainerID = id64[:12]
	if got := f.s.UsersOf(c).UserName(2000); got != "app" {
		t.Fatalf("container user %q", got)
	}
	if got := f.s.UsersOf(f.s.Thread(300)).UserName(3000); got != "<NA>" {
		t.Fatalf("unknown container uid %q", got)
	}
	if u.UserName(2000) != "bob" {
		t.Fatal("container user leaked into the host table")
	}
	f.do(event.UserDeletedE, -1, P{"uid": 2000, "gid": 2000, "name": "bob", "home": "", "shell": "", "container_id": ""})
	f.do(event.GroupDeletedE, -1, P{"gid": 2000, "name": "bob", "container_id": ""})
	if u.User(2000) != nil || u.Group(2000) != nil {
		t.Fatal("deleted events not applied")
	}
}

// Captures repeat every container's user list at start, and live
// userlist events repeat unchanged entries: an entry that has not
// changed is kept as it is, without a copy; one that has is replaced.
func TestUserEventsRepeated(t *testing.T) {
	f := newFeeder(t, nil)
	user := P{"uid": 2000, "gid": 2000, "name": "bob", "home": "/home/bob", "shell": "/bin/sh", "container_id": ""}
	group := P{"gid": 2000, "name": "bob", "container_id": ""}
	f.do(event.UserAddedE, -1, user)
	f.do(event.GroupAddedE, -1, group)
	u := f.s.Users()
	usr, grp := u.User(2000), u.Group(2000)
	var ue, ge event.Event
	if err := ue.Reset(mk(t, event.UserAddedE, f.ts+1, -1, user), 0); err != nil {
		t.Fatal(err)
	}
	if err := ge.Reset(mk(t, event.GroupAddedE, f.ts+2, -1, group), 0); err != nil {
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(100, func() {
		f.s.Update(&ue)
		f.s.Update(&ge)
	}); allocs != 0 {
		t.Fatalf("unchanged user and group events: %.1f allocations", allocs)
	}
	if u.User(2000) != usr || u.Group(2000) != grp {
		t.Fatal("unchanged entries were replaced")
	}
	for _, k := range []string{"gid", "name", "home", "shell"} {
		changed := P{}
		for key, val := range user {
			changed[key] = val
		}
		if k == "gid" {
			changed[k] = 2001
		} else {
			changed[k] = "x"
		}
		f.do(event.UserAddedE, -1, changed)
		got := u.User(2000)
		if got == usr || got.GID != uint32(changed["gid"].(int)) || got.Name != changed["name"] || got.Home != changed["home"] || got.Shell != changed["shell"] {
			t.Fatalf("changed %s: got %+v", k, got)
		}
		f.do(event.UserAddedE, -1, user)
		usr = u.User(2000)
	}
	f.do(event.GroupAddedE, -1, P{"gid": 2000, "name": "staff", "container_id": ""})
	if g := u.Group(2000); g == grp || g.Name != "staff" {
		t.Fatalf("renamed group: %+v", g)
	}
}
