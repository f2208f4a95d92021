#!/usr/bin/env bash
# Provision a throwaway Samba AD domain (AD.TEST) in DIR and create the accounts the AD tests
# use, then export their keys with `samba-tool domain exportkeytab` into DIR/keytabs/.
# Run by test/helpers/samba.ts once per machine (the result is cached under the OS temp dir,
# keyed by a hash of this file and the Samba version) and by fixtures/ad/make.sh.
# Everything works offline on DIR/private/sam.ldb: no daemon runs here.
# Facts this relies on: /work/shared/SAMBA-NOTES.md (set the UPN before the password: keys are
# salted when the password is set).
set -euo pipefail
DIR=$1
REALM=AD.TEST
BASE="DC=ad,DC=test"
SAM="$DIR/private/sam.ldb"
mkdir -p "$DIR"

# Always with -s: samba-tool otherwise reads /etc/samba/smb.conf, has no realm, and salts keys
# without it (measured: salt "jdoe" instead of "AD.TESTjdoe", "hostweb01." for a computer).
tool() { timeout 120 samba-tool "$@" -H "$SAM" -s "$DIR/etc/smb.conf" >/dev/null; }
ldif() { timeout 60 ldbmodify -H "$SAM" >/dev/null; }
set_attr() { # DN ATTR VALUE
  printf 'dn: %s\nchangetype: modify\nreplace: %s\n%s: %s\n' "$1" "$2" "$2" "$3" | ldif
}
del_attr() { # DN ATTR
  printf 'dn: %s\nchangetype: modify\ndelete: %s\n' "$1" "$2" | ldif
}
user_dn() { echo "CN=$1,CN=Users,$BASE"; }

timeout 300 samba-tool domain provision --realm=$REALM --domain=ADTEST --server-role=dc \
  --dns-backend=SAMBA_INTERNAL --adminpass='Admin-Pw-1!' --use-rfc2307 \
  --targetdir="$DIR" --host-ip=127.0.0.1 --host-name=dc1 >"$DIR/provision.log" 2>&1
# No DNS forwarding off the box; logs inside DIR.
sed -i -e '/dns forwarder/d' -e "s#log file = .*#log file = $DIR/log.%m#" "$DIR/etc/smb.conf"
tool domain passwordsettings set --complexity=off --history-length=0 --min-pwd-age=0 --max-pwd-age=0

# A user whose UPN is samba-tool's default (alice@ad.test): salt AD.TESTalice.
tool user create alice 'Alice-Pw-1'
# A user whose UPN differs from its sAMAccountName: salt AD.TESTjdoe (the UPN's name part).
tool user create JDoe 'Jdoe-Pw-1'
set_attr "$(user_dn JDoe)" userPrincipalName jdoe@ad.test
tool user setpassword JDoe --newpassword='Jdoe-Pw-2'
# A user without a UPN: salt AD.TESTBob.Smith (REALM + sAMAccountName, case kept).
tool user create Bob.Smith 'Bob-Pw-1'
del_attr "$(user_dn Bob.Smith)" userPrincipalName
tool user setpassword Bob.Smith --newpassword='Bob-Pw-2'

# ktpass-style service account: SPN, UPN set to the SPN, aes only, then a password change so
# the kvno is > 1. Salt: the SPN's default salt AD.TESTHTTPweb.ad.test.
tool user create svc-web 'Web-Pw-1'
tool spn add HTTP/web.ad.test svc-web
set_attr "$(user_dn svc-web)" userPrincipalName HTTP/web.ad.test@AD.TEST
set_attr "$(user_dn svc-web)" msDS-SupportedEncryptionTypes 24
tool user setpassword svc-web --newpassword='Web-Pw-2'
tool user setpassword svc-web --newpassword='Web-Pw-3'

# setspn-style: an SPN registered on a user account. Salt: the account's, AD.TESTSvc-Vault.
tool user create Svc-Vault 'Vault-Pw-1'
set_attr "$(user_dn Svc-Vault)" msDS-SupportedEncryptionTypes 24
tool spn add HTTP/vault.ad.test Svc-Vault

# rc4-only service account.
tool user create svc-legacy 'Legacy-Pw-1'
set_attr "$(user_dn svc-legacy)" msDS-SupportedEncryptionTypes 4
tool spn add cifs/legacy.ad.test svc-legacy

# A computer account (password "web01" from --prepare-oldjoin) in a group.
# Salt: AD.TESThostweb01.ad.test.
tool computer create WEB01 --prepare-oldjoin
set_attr "CN=WEB01,CN=Computers,$BASE" msDS-SupportedEncryptionTypes 24
tool group add WebServers
tool group addmembers WebServers 'WEB01$'

# Constrained delegation (issue 17 item 2). A front-end service trusted for protocol transition
# (TRUSTED_TO_AUTH_FOR_DELEGATION) that may delegate to cifs/back.ad.test (msDS-AllowedToDelegateTo).
tool user create svc-front 'Front-Pw-1'
tool spn add HTTP/front.ad.test svc-front
set_attr "$(user_dn svc-front)" msDS-SupportedEncryptionTypes 24
tool delegation for-any-protocol svc-front on
tool delegation add-service svc-front cifs/back.ad.test
# The back-end service.
tool user create svc-back 'Back-Pw-1'
tool spn add cifs/back.ad.test svc-back
set_attr "$(user_dn svc-back)" msDS-SupportedEncryptionTypes 24
# Resource-based constrained delegation: svc-rbcd lets svc-rbfront act on behalf of users
# (msDS-AllowedToActOnBehalfOfOtherIdentity); svc-rbfront itself has no delegation setting.
tool user create svc-rbfront 'Rbfront-Pw-1'
tool spn add HTTP/rbfront.ad.test svc-rbfront
set_attr "$(user_dn svc-rbfront)" msDS-SupportedEncryptionTypes 24
tool user create svc-rbcd 'Rbcd-Pw-1'
tool spn add HTTP/rbcd.ad.test svc-rbcd
set_attr "$(user_dn svc-rbcd)" msDS-SupportedEncryptionTypes 24
tool delegation add-principal svc-rbcd svc-rbfront
# A user marked "sensitive and cannot be delegated" (NOT_DELEGATED, 0x100000 | NORMAL_ACCOUNT 0x200).
tool user create carol 'Carol-Pw-1'
set_attr "$(user_dn carol)" userAccountControl 1049088

mkdir -p "$DIR/keytabs"
export_kt() { # FILE PRINCIPAL
  timeout 120 samba-tool domain exportkeytab "$DIR/keytabs/$1" --principal="$2" \
    -s "$DIR/etc/smb.conf" >/dev/null 2>&1
}
export_kt alice.keytab alice
export_kt jdoe.keytab JDoe
export_kt bob.keytab Bob.Smith
export_kt svc-web.keytab svc-web
export_kt http-web.keytab HTTP/web.ad.test
export_kt vault.keytab Svc-Vault
export_kt http-vault.keytab HTTP/vault.ad.test
export_kt legacy.keytab svc-legacy
export_kt cifs-legacy.keytab cifs/legacy.ad.test
export_kt web01.keytab 'WEB01$'
export_kt host-web01.keytab host/web01.ad.test
export_kt svc-front.keytab svc-front
export_kt http-front.keytab HTTP/front.ad.test
export_kt svc-back.keytab svc-back
export_kt cifs-back.keytab cifs/back.ad.test
export_kt svc-rbfront.keytab svc-rbfront
export_kt http-rbcd.keytab HTTP/rbcd.ad.test
export_kt carol.keytab carol
touch "$DIR/READY"
