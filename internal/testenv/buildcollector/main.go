// Command buildcollector builds (or finds in the cache) the test
// OpenTelemetry Collector that internal/testenv uses, and prints its path.
// hack/deps.sh can run it so the first test does not pay for the build:
//
//	go run ./internal/testenv/buildcollector
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/sakersec/saker/internal/testenv"
)

func main() {
	path, took, err := testenv.CollectorBinary()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if took > 0 {
		fmt.Fprintf(os.Stderr, "built the test collector in %v\n", took.Round(time.Second))
	}
	fmt.Println(path)
}
