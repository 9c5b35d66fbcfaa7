package sign

import "testing"

func TestSignVerify(t *testing.T) {
	// RFC 4231 test case 2: key "Jefe", "what do ya want for nothing?".
	const want = "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	if got := Sign([]byte("Jefe"), []byte("what do ya want for nothing?")); got != want {
		t.Fatalf("Sign = %s", got)
	}
	if !Verify([]byte("Jefe"), []byte("what do ya want for nothing?"), want) {
		t.Error("Verify rejected a good signature")
	}
	for _, bad := range []string{"", want[:len(want)-1], "sha256=" + want[7:len(want)-1] + "4", "SHA256=" + want[7:]} {
		if Verify([]byte("Jefe"), []byte("what do ya want for nothing?"), bad) {
			t.Errorf("Verify accepted %q", bad)
		}
	}
}
