// A gokrb5 (github.com/jcmturner/gokrb5/v8) client for test/kdc/gokrb5.test.ts: logs in with a
// password (GOKRB5_PASSWORD) or a keytab (-keytab), gets a service ticket and prints one line:
//
//	OK cname=<client> sname=<service> realm=<realm> etype=<ticket enctype> skey=<session key enctype> kvno=<n> apreq=<base64 AP-REQ>
//
// The AP-REQ carries a GSS-API checksum (spnego.NewKRB5TokenAPREQ) so our Acceptor can verify it.
// Built by the test with GO111MODULE=off and GOPATH=/usr/share/gocode (Debian's -dev packages).
package main

import (
	"encoding/base64"
	"flag"
	"fmt"
	"os"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/spnego"
)

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "FAIL %s: %v\n", what, err)
	os.Exit(1)
}

func main() {
	conf := flag.String("conf", "", "krb5.conf path")
	user := flag.String("user", "", "client principal name (no realm)")
	realm := flag.String("realm", "", "realm")
	kt := flag.String("keytab", "", "keytab path (password from GOKRB5_PASSWORD otherwise)")
	spn := flag.String("spn", "", "service principal name, e.g. HTTP/localhost")
	flag.Parse()

	cfg, err := config.Load(*conf)
	if err != nil {
		fail("config", err)
	}
	var cl *client.Client
	if *kt != "" {
		k, err := keytab.Load(*kt)
		if err != nil {
			fail("keytab", err)
		}
		cl = client.NewWithKeytab(*user, *realm, k, cfg, client.DisablePAFXFAST(true))
	} else {
		cl = client.NewWithPassword(*user, *realm, os.Getenv("GOKRB5_PASSWORD"), cfg, client.DisablePAFXFAST(true))
	}
	defer cl.Destroy()
	if err := cl.Login(); err != nil {
		fail("login", err)
	}
	tkt, key, err := cl.GetServiceTicket(*spn)
	if err != nil {
		fail("service ticket", err)
	}
	tok, err := spnego.NewKRB5TokenAPREQ(cl, tkt, key, []int{}, []int{})
	if err != nil {
		fail("AP-REQ", err)
	}
	b, err := tok.APReq.Marshal()
	if err != nil {
		fail("AP-REQ marshal", err)
	}
	fmt.Printf("OK cname=%s sname=%s realm=%s etype=%d skey=%d kvno=%d apreq=%s\n",
		cl.Credentials.CName().PrincipalNameString(), tkt.SName.PrincipalNameString(), tkt.Realm,
		tkt.EncPart.EType, key.KeyType, tkt.EncPart.KVNO, base64.StdEncoding.EncodeToString(b))
}
