package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Certs is a throw-away PKI for TLS tests: a CA, a server certificate for
// 127.0.0.1/localhost and a client certificate, all signed by the CA and
// written as PEM files.
type Certs struct {
	Dir                       string
	CAFile                    string
	ServerCertFile, ServerKey string
	ClientCertFile, ClientKey string

	caPool *x509.CertPool
	server tls.Certificate
}

// NewCerts creates the PKI in a temporary directory.
func NewCerts(tb testing.TB) *Certs {
	tb.Helper()
	dir := tb.TempDir()
	must := func(err error) {
		if err != nil {
			tb.Fatalf("testenv certs: %v", err)
		}
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "saker test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	must(err)
	ca, err := x509.ParseCertificate(caDER)
	must(err)

	issue := func(serial int64, cn string, usage x509.ExtKeyUsage, server bool) ([]byte, *ecdsa.PrivateKey) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(err)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		}
		if server {
			tmpl.DNSNames = []string{"localhost"}
			tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		must(err)
		return der, key
	}
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		must(os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
		return p
	}
	writeKey := func(name string, k *ecdsa.PrivateKey) string {
		der, err := x509.MarshalECPrivateKey(k)
		must(err)
		return write(name, "EC PRIVATE KEY", der)
	}
	c := &Certs{Dir: dir, caPool: x509.NewCertPool()}
	c.caPool.AddCert(ca)
	c.CAFile = write("ca.pem", "CERTIFICATE", caDER)
	sDER, sKey := issue(2, "localhost", x509.ExtKeyUsageServerAuth, true)
	c.ServerCertFile, c.ServerKey = write("server.pem", "CERTIFICATE", sDER), writeKey("server-key.pem", sKey)
	cDER, cKey := issue(3, "saker test client", x509.ExtKeyUsageClientAuth, false)
	c.ClientCertFile, c.ClientKey = write("client.pem", "CERTIFICATE", cDER), writeKey("client-key.pem", cKey)
	c.server, err = tls.LoadX509KeyPair(c.ServerCertFile, c.ServerKey)
	must(err)
	return c
}

// ServerTLS is a server configuration with the server certificate; with
// requireClient it demands a client certificate signed by the CA (mTLS).
func (c *Certs) ServerTLS(requireClient bool) *tls.Config {
	tc := &tls.Config{Certificates: []tls.Certificate{c.server}, MinVersion: tls.VersionTLS12}
	if requireClient {
		tc.ClientAuth = tls.RequireAndVerifyClientCert
		tc.ClientCAs = c.caPool
	}
	return tc
}
