package state

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// User is one user (a passwd entry or a capture's UL record).
type User struct {
	UID   uint32
	GID   uint32
	Name  string
	Home  string
	Shell string
}

// Group is one group (a group entry or a capture's UL record).
type Group struct {
	GID  uint32
	Name string
}

// Users holds the users and groups of the host, or of one container, keyed
// by id.
type Users struct {
	users  map[uint32]*User
	groups map[uint32]*Group
}

func (u *Users) init() {
	u.users = make(map[uint32]*User)
	u.groups = make(map[uint32]*Group)
}

// User returns the user with uid, or nil.
func (u *Users) User(uid uint32) *User { return u.users[uid] }

// Group returns the group with gid, or nil.
func (u *Users) Group(gid uint32) *Group { return u.groups[gid] }

// UserName renders user.name the way Falco does: the table's name, "root"
// for uid 0 even when the table lacks it, and "<NA>" for an unknown uid
// (libs adds such users with the name "<NA>").
func (u *Users) UserName(uid uint32) string {
	if usr := u.users[uid]; usr != nil {
		return usr.Name
	}
	if uid == 0 {
		return "root"
	}
	return "<NA>"
}

// GroupName renders group.name: the table's name, "root" for gid 0, else
// "<NA>".
func (u *Users) GroupName(gid uint32) string {
	if g := u.groups[gid]; g != nil {
		return g.Name
	}
	if gid == 0 {
		return "root"
	}
	return "<NA>"
}

// AddUser adds or replaces a user.
func (u *Users) AddUser(usr User) { c := usr; u.users[usr.UID] = &c }

// AddGroup adds or replaces a group.
func (u *Users) AddGroup(g Group) { c := g; u.groups[g.GID] = &c }

func (u *Users) deleteUser(uid uint32)  { delete(u.users, uid) }
func (u *Users) deleteGroup(gid uint32) { delete(u.groups, gid) }

// NumUsers and NumGroups return the table sizes.
func (u *Users) NumUsers() int  { return len(u.users) }
func (u *Users) NumGroups() int { return len(u.groups) }

// AllUsers calls fn for every user until it returns false.
func (u *Users) AllUsers(fn func(*User) bool) {
	for _, usr := range u.users {
		if !fn(usr) {
			return
		}
	}
}

// AllGroups calls fn for every group until it returns false.
func (u *Users) AllGroups(fn func(*Group) bool) {
	for _, g := range u.groups {
		if !fn(g) {
			return
		}
	}
}

// LoadEtc reads root/etc/passwd and root/etc/group into the tables (root
// "/" for the host). A missing file is not an error (minimal images have
// none); a malformed line is, reported with file and line.
func (u *Users) LoadEtc(root string) error {
	if root == "" {
		root = "/"
	}
	p := filepath.Join(root, "etc", "passwd")
	if f, err := os.Open(p); err == nil {
		users, err := ParsePasswd(f, p)
		f.Close()
		if err != nil {
			return err
		}
		for _, usr := range users {
			u.AddUser(usr)
		}
	} else if !os.IsNotExist(err) {
		return err
	}
	p = filepath.Join(root, "etc", "group")
	if f, err := os.Open(p); err == nil {
		groups, err := ParseGroup(f, p)
		f.Close()
		if err != nil {
			return err
		}
		for _, g := range groups {
			u.AddGroup(g)
		}
	} else if !os.IsNotExist(err) {
		return err
	}
	return nil
}

// maxEtcLine bounds one passwd/group line.
const maxEtcLine = 64 << 10

// ParsePasswd parses passwd(5) lines "name:passwd:uid:gid:gecos:home:shell".
// Empty lines, comments and NIS "+"/"-" entries are skipped. name is used
// in errors ("name:line: ...").
func ParsePasswd(r io.Reader, name string) ([]User, error) {
	var out []User
	err := scanEtc(r, name, func(line string, n int) error {
		f := strings.Split(line, ":")
		if len(f) < 7 {
			return fmt.Errorf("%s:%d: passwd entry has %d fields, want 7", name, n, len(f))
		}
		uid, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			return fmt.Errorf("%s:%d: bad uid %q", name, n, f[2])
		}
		gid, err := strconv.ParseUint(f[3], 10, 32)
		if err != nil {
			return fmt.Errorf("%s:%d: bad gid %q", name, n, f[3])
		}
		out = append(out, User{UID: uint32(uid), GID: uint32(gid), Name: f[0], Home: f[5], Shell: f[6]})
		return nil
	})
	return out, err
}

// ParseGroup parses group(5) lines "name:passwd:gid:members".
func ParseGroup(r io.Reader, name string) ([]Group, error) {
	var out []Group
	err := scanEtc(r, name, func(line string, n int) error {
		f := strings.Split(line, ":")
		if len(f) < 3 {
			return fmt.Errorf("%s:%d: group entry has %d fields, want 4", name, n, len(f))
		}
		gid, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			return fmt.Errorf("%s:%d: bad gid %q", name, n, f[2])
		}
		out = append(out, Group{GID: uint32(gid), Name: f[0]})
		return nil
	})
	return out, err
}

func scanEtc(r io.Reader, name string, fn func(line string, n int) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxEtcLine)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue
		}
		if err := fn(line, n); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s:%d: %w", name, n+1, err)
	}
	return nil
}
