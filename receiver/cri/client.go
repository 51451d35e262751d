package cri

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Client is a connection to one CRI runtime's RuntimeService (v1).
type Client struct {
	conn *grpc.ClientConn
	rs   runtimeapi.RuntimeServiceClient
	// Socket is the path connected to; Runtime and Version are the
	// runtime's name ("containerd", "cri-o") and version from Version.
	Socket, Runtime, Version string
}

// maxMsgSize bounds a CRI answer (a list of every container of a node
// with its labels and annotations stays far below it).
const maxMsgSize = 16 << 20

// Dial connects to the first of sockets (each under root, the host's
// filesystem as mounted in saker's container, "/" or "" for none) that
// exists and answers Version within timeout. The error says why each was
// passed over.
func Dial(ctx context.Context, root string, sockets []string, timeout time.Duration) (*Client, error) {
	var why []string
	for _, s := range sockets {
		path := filepath.Join(root, strings.TrimPrefix(s, "unix://"))
		if root == "" {
			path = strings.TrimPrefix(s, "unix://")
		}
		fi, err := os.Stat(path)
		if err != nil {
			why = append(why, fmt.Sprintf("%s: %v", path, errors.Unwrap(err)))
			continue
		}
		if fi.Mode().Type() != os.ModeSocket {
			why = append(why, path+": not a unix socket")
			continue
		}
		c, err := dialOne(ctx, path, timeout)
		if err != nil {
			why = append(why, fmt.Sprintf("%s: %v", path, err))
			continue
		}
		return c, nil
	}
	return nil, fmt.Errorf("no CRI runtime answered (%s)", strings.Join(why, "; "))
}

func dialOne(ctx context.Context, path string, timeout time.Duration) (*Client, error) {
	conn, err := grpc.NewClient("unix://"+path,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMsgSize)))
	if err != nil {
		return nil, err
	}
	c := &Client{conn: conn, rs: runtimeapi.NewRuntimeServiceClient(conn), Socket: path}
	vctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := c.rs.Version(vctx, &runtimeapi.VersionRequest{})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("Version: %w", err)
	}
	c.Runtime, c.Version = v.GetRuntimeName(), v.GetRuntimeVersion()
	return c, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// isNotFound reports whether err says the runtime has no such container
// or sandbox (containerd: NotFound; some runtimes only say it in words).
func isNotFound(err error) bool {
	s, ok := status.FromError(err)
	if !ok {
		return false
	}
	return s.Code() == codes.NotFound || s.Code() == codes.Unknown && strings.Contains(strings.ToLower(s.Message()), "not found")
}
