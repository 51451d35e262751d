package fields

import (
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

// user.* and group.*: the event thread's uid/gid and login uid, named
// through the user and group tables of receiver/state (the capture's UL
// block or /etc/passwd and /etc/group). Unknown ids render as libs
// renders them: "root" for 0, "<NA>" otherwise.

const noID = ^uint32(0)

func init() {
	threadField("user.uid", event.PTUint32, "user id of the thread", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = uint64(t.UID)
		return true
	})
	threadField("user.name", event.PTCharbuf, "name of the thread's user", func(c *Ctx, t *state.Thread, v *Value) bool {
		v.S = c.State.Users().UserName(t.UID)
		return true
	})
	userAttr := func(name, desc string, get func(u *state.User) string) {
		threadField(name, event.PTCharbuf, desc, func(c *Ctx, t *state.Thread, v *Value) bool {
			u := c.State.Users().User(t.UID)
			if u == nil {
				return false
			}
			v.S = get(u)
			return true
		})
	}
	userAttr("user.homedir", "home directory of the thread's user", func(u *state.User) string { return u.Home })
	userAttr("user.shell", "login shell of the thread's user", func(u *state.User) string { return u.Shell })
	threadField("user.loginuid", event.PTInt64, "audit login uid of the thread; -1 when unset", func(_ *Ctx, t *state.Thread, v *Value) bool {
		if t.LoginUID == noID {
			v.U = uint64(^uint64(0)) // -1
		} else {
			v.U = uint64(t.LoginUID)
		}
		return true
	})
	threadField("user.loginname", event.PTCharbuf, "name of the user of the audit login uid", func(c *Ctx, t *state.Thread, v *Value) bool {
		if t.LoginUID == noID {
			return false
		}
		v.S = c.State.Users().UserName(t.LoginUID)
		return true
	})
	threadField("group.gid", event.PTUint32, "group id of the thread", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = uint64(t.GID)
		return true
	})
	threadField("group.name", event.PTCharbuf, "name of the thread's group", func(c *Ctx, t *state.Thread, v *Value) bool {
		v.S = c.State.Users().GroupName(t.GID)
		return true
	})
}
