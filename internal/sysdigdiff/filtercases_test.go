package sysdigdiff

import (
	"path"
	"strconv"
	"strings"
)

// sysdigFilters are filter expressions in the language sysdig 0.29
// understands, compared event by event with sysdig on every trace. They
// cover every operator it has (= != < <= > >= contains icontains
// startswith endswith glob in pmatch exists, and/or/not, parentheses) on
// the fields saker supports, state-based ones above all. No single
// quotes: the chisel runner quotes with them.
var sysdigFilters = []string{
	// evt.* basics (the event itself)
	"evt.type = open", "evt.type != read", "evt.type in (open, close, read, write)", "evt.type in (socket, connect, accept, bind, listen)",
	"evt.type = execve and evt.dir = <", "evt.type = clone",
	"evt.dir = >", "evt.dir != >", "evt.num > 1000", "evt.num <= 150", "evt.num >= 140 and evt.num < 160",
	"evt.num in (131, 141, 1405, 2183)", "evt.cpu = 0", "evt.cpu != 0", "evt.cpu >= 2",
	"evt.res = SUCCESS", "evt.res != SUCCESS", "evt.res = ENOENT", "evt.res in (EAGAIN, ETIMEDOUT)",
	"evt.rawres < 0", "evt.rawres > 0", "evt.rawres = 3", "evt.failed = true",
	"evt.is_io = true", "evt.is_io_read = true", "evt.is_io_write = true", "evt.is_wait = true",
	"evt.is_open_read = true",
	"evt.dir = > and evt.args contains <f>", "evt.dir = > and evt.args contains \"(<4\"",
	"evt.dir = > and evt.info contains /lib", "evt.dir = > and evt.args startswith \"fd=3\"",
	// evt.arg.X: libs' get_param_as_str (resolved form, else the value as evt.args renders it)
	"evt.dir = > and evt.arg.fd startswith <f>", "evt.dir = > and evt.arg.fd = \"<f>/etc/ld.so.cache\"", "evt.dir = > and evt.arg[0] contains /dev/pts",
	"evt.dir = > and evt.arg.fd startswith <p>", "evt.dir = > and evt.arg.fd startswith <6", "evt.dir = > and evt.arg.fd startswith <u>",
	"evt.dir = > and evt.arg.fd in (0, 1, 2)",
	"evt.type = mmap and evt.dir = < and evt.arg.res startswith 7F", "evt.type = mmap and evt.arg[0] endswith 000",
	"evt.type = nanosleep and evt.dir = > and evt.arg.interval = 1s", "evt.type = nanosleep and evt.arg[0] = 0s",
	"evt.type = poll and evt.dir = > and evt.arg.fds contains \"4:e1\"", "evt.type = poll and evt.arg[0] startswith 4",
	"evt.type = connect and evt.dir = < and evt.arg.tuple contains ffff88003c420800", "evt.type = connect and evt.arg.tuple contains \"->\"",
	"evt.arg.res = ENOENT", "evt.arg.res = 0", "evt.arg.res in (EAGAIN, EINPROGRESS)", "evt.arg.flags contains O_CLOEXEC", "evt.dir = > and evt.arg.flags = MAP_PRIVATE",
	"evt.dir = > and evt.arg.sig exists", "evt.arg.sig = SIGCHLD", "evt.type = clone and evt.dir = < and evt.arg.exe = /bin/bash", "evt.type = execve and evt.arg.cwd startswith /",
	"evt.arg.uid = root", "evt.arg.name startswith /etc/ld.so", "evt.arg.name = /dev/null", "evt.type = socket and evt.dir = > and evt.arg.domain = AF_INET6",
	"evt.type = fcntl and evt.dir = > and evt.arg.cmd = F_SETFL",
	// evt.count*, evt.rawtime.ns
	"evt.count = 1", "evt.count.exit = 1", "not evt.count.exit exists", "evt.count.error = 1", "not evt.count.error exists",
	"evt.count.error.file = 1", "evt.count.error.net = 1", "evt.count.error.other = 1",
	"evt.count.error.other = 1 and evt.type = access", "evt.rawtime.ns < 500000000",
	// generic events, named by their ID parameter
	"evt.type = madvise", "evt.type = madvise and evt.dir = <", "evt.type in (mprotect, clock_gettime, sigreturn)", "evt.type = sigreturn",
	"evt.type != clock_gettime and evt.type in (clock_gettime, pselect6)", "syscall.type = epoll_pwait", "evt.type = arch_prctl and evt.dir = <",

	// proc.*
	"proc.name = cat", "proc.name != cat", "proc.name = bash", "proc.name in (curl, sshd, screen)",
	"proc.name startswith sys", "proc.name endswith d", "proc.name contains ontain", "proc.name icontains DOCK",
	"proc.name glob *sh*", "proc.name glob c?rl", "proc.name glob [a-c]*",
	"proc.name = <NA>", "proc.name != <NA>", "proc.name exists", "not proc.name exists",
	"proc.name = test_ipv6_clien", "proc.name pmatch (/bin)",
	"proc.pid = 20072", "proc.pid != 20072", "proc.pid > 10000", "proc.pid < 1000", "proc.pid in (1, 466, 17497)",
	"proc.pid >= 25754 and proc.pid <= 32052", "proc.pid exists",
	"proc.ppid = 1", "proc.ppid = 11310", "proc.ppid > 20000", "proc.ppid = -1", "proc.ppid in (0, -1)",
	"proc.exe = cat", "proc.exe contains /usr/bin", "proc.exe startswith /", "proc.exe = <NA>",
	"proc.exe glob */sbin/*", "proc.exe endswith client",
	"proc.args = /dev/null", "proc.args contains google", "proc.args = \"\"", "proc.args != \"\"",
	"proc.args startswith -6", "proc.args icontains HTTP", "proc.args exists",
	"proc.cmdline = \"cat /dev/null\"", "proc.cmdline contains sshd", "proc.cmdline startswith curl",
	"proc.cmdline = \"curl -6 http://www.google.com\"", "proc.cmdline glob \"*docker*\"", "proc.cmdline icontains SCREEN",
	"proc.cmdline endswith worker", "proc.cmdline in (ls, bash, \"cat /dev/null\")",
	"proc.exeline contains \"./test_ipv6_client\"", "proc.exeline startswith /usr/bin",
	"proc.env contains \"SHELL=/bin/bash\"", "proc.env contains \"HOSTNAME=\"", "proc.env = \"\"", "proc.env icontains \"path=\"",
	"proc.pname = bash", "proc.pname != bash", "proc.pname in (systemd, containerd)", "proc.pname startswith contain",
	"proc.pname = <NA>", "proc.pname exists", "not proc.pname exists",
	"proc.pcmdline contains emacs", "proc.pcmdline startswith bash", "proc.pcmdline = sshd", "proc.pcmdline exists",
	"proc.aname[0] = cat", "proc.aname[1] = bash", "proc.aname[2] = emacs", "proc.aname[2] != emacs", "proc.aname[3] = sshd",
	"proc.aname[1] in (containerd, containerd-shim)", "proc.aname[4] exists", "proc.aname[2] startswith s",
	"proc.aname = bash", "proc.aname = systemd", "proc.aname in (sshd, screen)", "proc.aname contains shim",
	"proc.aname startswith e", "proc.aname glob *sh", "proc.aname != bash", "proc.aname exists", "not proc.aname exists",
	"proc.apid[1] = 11310", "proc.apid[0] = 20072", "proc.apid[2] > 10000", "proc.apid[1] exists",
	"proc.apid = 1", "proc.apid = 11310", "proc.apid = 25754",
	"proc.loginshellid = 11310", "proc.loginshellid exists", "not proc.loginshellid exists", "proc.loginshellid > 1000",
	"proc.nthreads > 1", "proc.nthreads = 1", "proc.nthreads >= 10",
	"proc.duration exists", "proc.duration > 1000000",
	"proc.fdlimit = 1024", "proc.fdlimit > 1024",
	"proc.is_exe_writable = true",
	"proc.cwd = /", "proc.cwd startswith /home", "proc.cwd = \"\"", "proc.exepath = /bin/ls", "proc.exepath endswith sshd", "proc.exepath = \"\"",
	"proc.sid = 0", "proc.sid > 1000", "proc.sname = sshd", "proc.sname in (bash, systemd)", "proc.vpid = 1", "proc.vpid < 100",
	"thread.vtid = 6", "proc.vpgid = 6", "proc.nchilds = 0", "proc.vmsize > 10000", "thread.pfminor > 100",
	"proc.vmrss > 1000", "proc.vmswap > 0", "proc.vmsize < 1000", "thread.vmsize > 50000", "thread.vmrss < 1000", "thread.pfmajor > 0", "thread.pfminor < 50",
	"proc.fdopencount > 10", "proc.fdopencount = 3", "proc.tty = 0", "proc.tty != 0", "user.loginuid = -1", "user.loginuid = 1000",
	"user.loginname = root", "fd.name_changed = true",

	// thread.*
	"thread.tid = 16518", "thread.tid != 16518", "thread.tid in (0, -1)", "thread.tid > 30000", "thread.tid exists",
	"thread.ismain = true", "thread.ismain = false",
	"thread.cgroups contains docker", "thread.cgroups startswith \"cpuset=/user.slice\"", "thread.cgroups exists", "not thread.cgroups exists",
	"thread.cgroup.cpuset contains docker", "thread.cgroup.memory startswith /user.slice", "thread.cgroup.blkio exists",
	"thread.cgroup.cpuset = /",

	// user.*, group.*
	"user.uid = 0", "user.uid != 0", "user.uid = 501", "user.uid > 1000", "user.uid in (33, 112)", "user.uid = 4294967295",
	"user.name = root", "user.name != root", "user.name in (mstemm, ubuntu)", "user.name = <NA>", "user.name startswith www",
	"user.name exists", "user.homedir = /root", "user.homedir startswith /home", "user.homedir exists", "not user.homedir exists",
	"user.shell = /bin/bash", "user.shell contains nologin", "user.shell exists",
	"group.gid = 0", "group.name = root", "group.name in (dialout, utmp)", "group.name != root",

	// container.*
	"container.id = host", "container.id != host", "container.id = 697956520d89", "container.id startswith 6979",
	"container.id in (host, 697956520d89)", "container.id exists",
	// container metadata from the captures' container events
	"container.name = hopeful_taussig", "container.name = host", "container.name exists", "container.name != host",
	"container.image = nginx", "container.image exists", "not container.image exists", "container.image.id startswith f68d6e55",
	"container.image.repository = nginx", "container.image.tag = latest", "container.image.digest startswith sha256:96fb",
	"container.privileged = false", "container.privileged = true", "container.privileged exists",
	"container.mounts exists", "container.mounts = \"\"", "container.type = docker", "container.type = host",
	"container.healthcheck = NONE", "container.readiness_probe exists",
	"container.name = hopeful_taussig and user.uid = 0 and proc.name = ls",

	// fd.* on files
	"fd.num = 3", "fd.num > 3", "fd.num < 0", "fd.num = -1", "fd.num in (0, 1, 2)", "fd.num exists", "not fd.num exists",
	"fd.type = file", "fd.type = ipv4", "fd.type = ipv6", "fd.type in (unix, pipe)", "fd.type = directory",
	"fd.type in (event, timerfd, eventpoll, inotify, signalfd)", "fd.type != file", "fd.type exists",
	"fd.typechar = f", "fd.typechar = u", "fd.typechar in (4, 6)", "fd.typechar = p", "fd.typechar != f", "fd.typechar exists",
	"fd.name = /etc/ld.so.cache", "fd.name != /etc/ld.so.cache", "fd.name startswith /etc", "fd.name endswith .so.6",
	"fd.name contains locale", "fd.name icontains PTMX", "fd.name glob /dev/pts/*", "fd.name glob /lib/*/libc.*",
	"fd.name in (/dev/null, /etc/hosts, /etc/resolv.conf)", "fd.name pmatch (/etc, /usr/lib)", "fd.name pmatch (/dev)",
	"fd.name = \"\"", "fd.name exists", "not fd.name exists",
	"fd.name contains ->", "fd.name = \"10.0.2.2:49289->10.0.2.15:22\"", "fd.name startswith 2001:db8",
	"fd.name = /var/run/docker.sock", "fd.name contains nscd",
	"fd.directory = /etc", "fd.directory = /lib/x86_64-linux-gnu", "fd.directory startswith /usr", "fd.directory = /",
	"fd.directory in (/dev, /dev/pts)", "fd.directory exists",
	"fd.filename = libc.so.6", "fd.filename startswith lib", "fd.filename in (hosts, passwd, null)", "fd.filename endswith .conf",
	"fd.filename exists",
	"fd.uid = 200723", "fd.uid startswith 20072", "fd.uid exists",
	"fd.containername = :/etc/ld.so.cache", "fd.containername contains /dev/pts", "fd.containerdirectory = :/etc",
	"fd.dev = 0", "fd.dev exists",
	"fdlist.nums contains 4", "fdlist.names contains /dev", "fdlist.names exists", "fdlist.sports exists", "fdlist.cips exists",
	"evt.is_syslog = true", "evt.is_syslog = false",

	// fd.* on sockets
	"fd.sockfamily = ip", "fd.sockfamily = unix", "fd.sockfamily exists",
	"fd.l4proto = tcp", "fd.l4proto = udp", "fd.l4proto != tcp",
	"fd.is_server = true", "fd.is_server = false",
	"fd.connected = true", "fd.connected = false",
	"fd.cip = 10.0.2.2", "fd.cip = 127.0.0.1", "fd.cip = ::1", "fd.cip exists",
	"fd.sip = 10.0.2.15", "fd.sip = 2607:f8b0:4004:802::2004", "fd.sip = 2001:db8::3", "fd.sip != 10.0.2.15", "fd.sip exists",
	"fd.cport = 49289", "fd.cport > 1024", "fd.cport exists",
	"fd.sport = 22", "fd.sport = 80", "fd.sport in (53, 80, 443)", "fd.sport < 1024", "fd.sport exists",
	"fd.lip = 10.0.2.15", "fd.rip = 10.0.2.2", "fd.lport = 22", "fd.rport = 49289", "fd.rport exists",
	// DNS names: resolved forward, the fd's address compared with the
	// answers (localhost from /etc/hosts; the .invalid name never resolves)
	"fd.sip.name = localhost", "fd.sip.name != localhost", "fd.sip.name in (nonexistent.invalid, localhost)",
	"fd.sip.name = nonexistent.invalid", "fd.cip.name = localhost", "fd.lip.name = localhost", "fd.rip.name = localhost",
	// local/remote by whether the server address is the machine's (the
	// capture's interface list): a client of a local server is "server",
	// and its local end is the client one when the client address is local
	"fd.lport = 47192", "fd.rip = 127.0.0.1", "fd.is_server = true and evt.type = connect", "fd.lip = 2001:db8::4",
	"fd.rport = 1234", "fd.rport = 80", "fd.lip = 2600:1f18:262c:6542:9aa6:df7a:9a47:d29e", "fd.is_server = true and fd.typechar = 6",
	"fd.lnet = 127.0.0.0/8", "fd.rproto = 80",
	"fd.ip = 127.0.0.1", "fd.ip = 10.0.2.2", "fd.ip = 2001:db8::4", "fd.ip != 10.0.2.2",
	"fd.port = 80", "fd.port = 22", "fd.port in (53, 2345)", "fd.port > 30000",
	"fd.net = 10.0.0.0/8", "fd.net = 127.0.0.0/8", "fd.net != 10.0.0.0/8",
	// either-end fields: != is "neither end equals"
	"fd.ip != 127.0.0.1", "fd.ip != 10.0.2.15", "fd.ip != 2001:db8::3", "fd.port != 80", "fd.port != 22", "fd.port != 53",
	"fd.net != 127.0.0.0/8", "fd.net != 10.0.2.0/24", "not fd.ip = 10.0.2.2", "not fd.port in (22, 80)",
	"fd.proto = 80", "fd.proto != 80", "fd.proto in (22, 53)", "fd.proto > 1024",
	// ports as text (no service names: Falco never resolves them)
	"fd.sproto = 80", "fd.sproto in (22, 53)", "fd.sproto = http", "fd.cproto exists", "fd.cproto startswith 4", "fd.lproto = 22", "fd.rproto exists",
	// port constants by service name
	"fd.proto = http", "fd.port = ssh", "fd.sport = ssh", "fd.sport in (http, domain)", "fd.port != http",
	"fd.cnet = 10.0.2.0/24", "fd.snet = 10.0.2.0/24", "fd.lnet = 10.0.0.0/8", "fd.rnet = 10.0.0.0/8",

	// combinations, precedence, negation
	"proc.name = cat and fd.name startswith /etc", "proc.name = cat or proc.name = bash",
	"proc.name = cat and (fd.typechar = f or evt.type = execve)", "not (proc.name = cat or proc.name = bash)",
	"not proc.name = cat and not fd.name exists", "proc.name = cat and not fd.name = /dev/null",
	"evt.type = open and evt.dir = < and proc.name in (cat, python) and fd.name != /dev/null",
	"(evt.type = read or evt.type = write) and fd.typechar = 4 and fd.sport = 22",
	"user.name = root and container.id != host and proc.name = ls",
	"proc.aname = bash and fd.directory = /etc and not proc.name = bash",
	"evt.type = connect and evt.dir = < and fd.typechar in (4, 6)",
	"evt.type in (open, openat) and evt.dir = < and fd.name pmatch (/etc) and user.uid != 0",
	"fd.sockfamily = ip and (fd.l4proto = udp or fd.sport = 53)",
	"proc.pname = containerd-shim and proc.name = bash and thread.cgroups contains docker",
	"proc.name = cat and proc.name = bash", "proc.name = cat or not proc.name = cat",
	"(proc.name = cat or proc.name = curl) and (fd.num > 2 or evt.type = execve) and not user.uid = 0",
	"evt.type = close and evt.dir = > and fd.name exists",
	"evt.type = execve and evt.dir = < and proc.pname exists and proc.aname[2] exists",
}

// newerFilter is a filter that uses what sysdig 0.29 does not have
// (operators, transformers, field arguments and fields added since). It
// is checked against an expectation written here, evaluated on sysdig's
// own view of the trace:
//
//   - same: a filter in sysdig 0.29's language that must match exactly the
//     same events (an equivalence that holds by definition of the newer
//     operator, or on these traces as noted);
//   - fields+pred: the events for which pred holds on the values sysdig
//     prints for fields;
//   - superset: saker must match at least the events sysdig matches for
//     this filter (for fields sysdig 0.29 cannot print).
type newerFilter struct {
	expr     string
	same     string
	fields   []string
	pred     func(v []string) bool
	superset string
}

var newerFilters = []newerFilter{
	{expr: "proc.name == cat", same: "proc.name = cat"},
	{expr: "not not proc.name = cat", same: "proc.name = cat"},                    // sysdig 0.29 parses a double not wrongly (it matches every event)
	{expr: "fd.net = 2001:db8::/32", same: "fd.ip in (2001:db8::3, 2001:db8::4)"}, // sysdig 0.29 has no IPv6 networks; these are the traces' only 2001:db8::/32 addresses
	{expr: "fd.snet = 2607:f8b0::/32", same: "fd.sip = 2607:f8b0:4004:802::2004"},
	{expr: "evt.num >= 0x100", same: "evt.num >= 256"},
	{expr: "evt.buffer bcontains 454c46", same: "evt.buffer contains ELF"},
	{expr: "evt.buffer bstartswith 726f6f74", same: "evt.buffer startswith root"},
	{expr: "proc.name intersects (cat, bash)", same: "proc.name in (cat, bash)"},
	{expr: "fd.name intersects (/dev/null, /etc/hosts)", same: "fd.name in (/dev/null, /etc/hosts)"},
	{expr: "proc.name regex \"c.t\"", same: "proc.name glob c?t"},
	{expr: "proc.name regex \"(bash|cat|ls)\"", same: "proc.name in (bash, cat, ls)"},
	{expr: "fd.name regex \"/etc/.*\\.conf\"", same: "fd.name glob /etc/*.conf"},
	{expr: "fd.name iglob /ETC/*", same: "fd.name glob /etc/*"}, // no path on these traces has upper case after /etc/
	{expr: "proc.name iglob C*L", same: "proc.name glob c*l"},   // process names here are lower case
	{expr: "proc.name startswith oneof (c, b)", same: "proc.name startswith c or proc.name startswith b"},
	{expr: "proc.name contains anyof (url, ash)", same: "proc.name contains url or proc.name contains ash"},
	{expr: "proc.name contains allof (o, n)", same: "proc.name contains o and proc.name contains n"},
	{expr: "proc.name contains oneof (d, o)", same: "(proc.name contains d and not proc.name contains o) or (proc.name contains o and not proc.name contains d)"},
	{expr: "proc.name = val(proc.name)", same: "proc.name exists"},
	{expr: "proc.exe = val(proc.name)", fields: []string{"proc.exe", "proc.name", "proc.pid"}, pred: func(v []string) bool { return v[2] != "<NA>" && v[0] == v[1] }},
	{expr: "tolower(proc.name) = cat", fields: []string{"proc.name"}, pred: func(v []string) bool { return strings.ToLower(v[0]) == "cat" }},
	{expr: "toupper(proc.name) = CURL", fields: []string{"proc.name"}, pred: func(v []string) bool { return strings.ToUpper(v[0]) == "CURL" }},
	{expr: "len(proc.name) > 6", fields: []string{"proc.name"}, pred: func(v []string) bool { return v[0] != "<NA>" && len(v[0]) > 6 }},
	{expr: "basename(fd.name) = libc.so.6", fields: []string{"fd.name"}, pred: func(v []string) bool { return strings.HasPrefix(v[0], "/") && path.Base(v[0]) == "libc.so.6" }},
	{expr: "proc.env[SHELL] = /bin/bash", fields: []string{"proc.env"}, pred: func(v []string) bool { return envValue(v[0], "SHELL") == "/bin/bash" }},
	{expr: "proc.args[0] = -6", fields: []string{"proc.args"}, pred: func(v []string) bool { return v[0] != "<NA>" && strings.Split(v[0], " ")[0] == "-6" }},
	// evt.buflen: sysdig 0.29's filters never see it on read events (it
	// prints it there), so the expectation is on the printed values.
	{expr: "evt.buflen exists", fields: []string{"evt.buflen"}, pred: func(v []string) bool { return v[0] != "<NA>" }},
	{expr: "evt.buflen = 0", fields: []string{"evt.buflen"}, pred: func(v []string) bool { return v[0] == "0" }},
	{expr: "evt.buflen > 1000", fields: []string{"evt.buflen"}, pred: func(v []string) bool { return num(v[0]) > 1000 }},
	{expr: "evt.buflen.in exists", fields: []string{"evt.buflen.in"}, pred: func(v []string) bool { return v[0] != "<NA>" }},
	{expr: "evt.buflen.out > 10", fields: []string{"evt.buflen.out"}, pred: func(v []string) bool { return num(v[0]) > 10 }},
	{expr: "evt.buflen.file exists", fields: []string{"evt.buflen.file"}, pred: func(v []string) bool { return v[0] != "<NA>" }},
	{expr: "evt.buflen.net exists", fields: []string{"evt.buflen.net"}, pred: func(v []string) bool { return v[0] != "<NA>" }},
	{expr: "evt.buflen.net.in > 100", fields: []string{"evt.buflen.net.in"}, pred: func(v []string) bool { return num(v[0]) > 100 }},
	{expr: "evt.buflen.file.out exists", fields: []string{"evt.buflen.file.out"}, pred: func(v []string) bool { return v[0] != "<NA>" }},
	// evt.deltatime: the chisel oracle also sees sysdig's internal events,
	// so the expectation is on the printed values (visible events only).
	{expr: "evt.deltatime > 1000000", fields: []string{"evt.deltatime"}, pred: func(v []string) bool { return num(v[0]) > 1000000 }},
	{expr: "evt.deltatime.s >= 1", fields: []string{"evt.deltatime.s"}, pred: func(v []string) bool { return num(v[0]) >= 1 }},
	{expr: "evt.deltatime.ns < 2000", fields: []string{"evt.deltatime.ns"}, pred: func(v []string) bool { n := num(v[0]); return n >= 0 && n < 2000 }},
	{expr: "fd.types intersects (ipv4, ipv6)", superset: "fd.typechar in (4, 6) and fd.type exists"},
	{expr: "fd.types intersects (file)", superset: "fd.typechar = f and evt.type != open"},
	{expr: "proc.is_vpgid_leader = true or proc.is_vpgid_leader = false", superset: "proc.name exists and thread.tid > 0"},
}

// num parses a printed number; <NA> and non-numbers are -1.
func num(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// envValue returns NAME's value in a space-separated proc.env rendering.
func envValue(env, name string) string {
	for _, kv := range strings.Split(env, " ") {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}
