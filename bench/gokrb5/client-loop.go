// gokrb5 (github.com/jcmturner/gokrb5/v8) doing what bench/client.ts measures: per iteration a new
// client (client.NewWithKeytab), a keytab login (Login: the AS exchange) and a service ticket
// (GetServiceTicket: the TGS exchange), then Destroy, for DURATION_MS milliseconds. krb5.conf and
// the keytab are loaded once, as the TypeScript loop parses its config and keytab once.
//
// Built by bench/client.ts with GO111MODULE=off and GOPATH=/usr/share/gocode (Debian's
// golang-github-jcmturner-gokrb5.v8-dev), as test/kdc/gokrb5.test.ts builds test/peers/gokrb5.
// Run:   client-loop KRB5_CONF USER REALM KEYTAB SERVICE DURATION_MS
// Prints: <ops> <ms>
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/keytab"
)

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "FAIL %s: %v\n", what, err)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 7 {
		fmt.Fprintf(os.Stderr, "usage: %s KRB5_CONF USER REALM KEYTAB SERVICE DURATION_MS\n", os.Args[0])
		os.Exit(2)
	}
	cfg, err := config.Load(os.Args[1])
	if err != nil {
		fail("config", err)
	}
	user, realm, spn := os.Args[2], os.Args[3], os.Args[5]
	kt, err := keytab.Load(os.Args[4])
	if err != nil {
		fail("keytab", err)
	}
	ms, err := strconv.ParseFloat(os.Args[6], 64)
	if err != nil {
		fail("duration", err)
	}
	one := func() {
		cl := client.NewWithKeytab(user, realm, kt, cfg, client.DisablePAFXFAST(true))
		defer cl.Destroy()
		if err := cl.Login(); err != nil {
			fail("login", err)
		}
		if _, _, err := cl.GetServiceTicket(spn); err != nil {
			fail("service ticket", err)
		}
	}
	limit := time.Duration(ms * float64(time.Millisecond))
	warm := time.Now()
	for time.Since(warm) < 300*time.Millisecond {
		one()
	}
	ops := 0
	start := time.Now()
	for time.Since(start) < limit {
		one()
		ops++
	}
	fmt.Printf("%d %.1f\n", ops, float64(time.Since(start).Microseconds())/1000)
}
