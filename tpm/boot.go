package tpm

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-eventlog/extract"
	pb "github.com/google/go-eventlog/proto/state"
	"github.com/google/go-eventlog/register"
	"github.com/google/go-eventlog/tcg"

	"github.com/buildtrust/buildtrust"
)

// Loader is the second-stage bootloader whose measurements are extracted.
type Loader int

// Loaders.
const (
	// NoLoader extracts firmware, Secure Boot and EFI application
	// measurements only.
	NoLoader Loader = iota
	// GRUB also extracts GRUB's measured files (kernel, initrd, grub.cfg),
	// commands and the kernel command line.
	GRUB
)

// Component names used in [BootState.Components] and reference values
// (BENV-L2-2: bootloader, kernel, build agent, root filesystem; the last two
// are measured by the image, e.g. into PCR 8–15 or by dm-verity, and reach
// this package as "grub.file"/"event" components or as PCR values).
const (
	// ComponentFirmware: digests of the PCR0 firmware events (S-CRTM
	// contents and version, EFI platform firmware blobs, POST code).
	ComponentFirmware = "firmware"
	// ComponentBootloader: digests of the EFI applications started before
	// ExitBootServices (shim, GRUB, systemd-boot, a UKI), in boot order.
	ComponentBootloader = "bootloader"
	// ComponentKernel: digests of files GRUB loaded whose (unmeasured) name
	// looks like a kernel (vmlinuz*, bzImage*, *.efi under /boot).
	ComponentKernel = "kernel"
	// ComponentInitrd: digests of files GRUB loaded whose name looks like an
	// initial ramdisk (initrd*, initramfs*), and of the initrd the Linux EFI
	// stub measured into PCR 9 (EV_EVENT_TAG "Linux initrd").
	ComponentInitrd = "initrd"
	// ComponentKernelLoadOptions: digest of the load options (the kernel
	// command line, UTF-16) the Linux EFI stub measured into PCR 9
	// (EV_EVENT_TAG "LOADED_IMAGE::LoadOptions"); the log carries only the
	// digest, not the text.
	ComponentKernelLoadOptions = "kernel.loadoptions"
	// ComponentGRUBFile: digests of every file GRUB measured.
	ComponentGRUBFile = "grub.file"
	// ComponentGRUBCommand: every GRUB command line measured (value).
	ComponentGRUBCommand = "grub.command"
	// ComponentKernelCmdline: the kernel command line GRUB passed (value).
	ComponentKernelCmdline = "kernel.cmdline"
	// ComponentSecureBoot: "enabled" or "disabled" (value).
	ComponentSecureBoot = "secureboot"
	// ComponentSecureBootDB: SHA-256 of each db certificate (DER) and each
	// db hash as recorded.
	ComponentSecureBootDB = "secureboot.db"
	// ComponentSecureBootDBX: the same for dbx.
	ComponentSecureBootDBX = "secureboot.dbx"
	// ComponentSecureBootAuthority: SHA-256 of each certificate that
	// authorized an image after the separator.
	ComponentSecureBootAuthority = "secureboot.authority"
	// ComponentSeparator: "pcrN:00000000" for each verified EV_SEPARATOR
	// ("pcrN:ffffffff" for an error separator) (value).
	ComponentSeparator = "separator"
	// ComponentPlatform: the confidential-computing technology GCE records
	// in PCR0 (e.g. "AMD_SEV_SNP"), when present (value).
	ComponentPlatform = "platform.technology"
)

// Component is one measured item extracted from verified events: a digest
// (Hash != 0) or a value (Hash == 0).
type Component struct {
	// Name is one of the Component… constants.
	Name string `json:"name"`
	// PCR is the register the item was measured into.
	PCR int `json:"pcr"`
	// Hash and Digest are the item's digest and its algorithm.
	Hash   crypto.Hash `json:"-"`
	Digest []byte      `json:"-"`
	// Value is the item's value, for value components.
	Value string `json:"value,omitempty"`
	// Hint is unmeasured context (e.g. the file name GRUB logged), never
	// used for matching.
	Hint string `json:"hint,omitempty"`
}

// NoActionEvent is an EV_NO_ACTION event. Such events are never extended
// into a PCR, so nothing authenticates them: they are reported for
// information (StartupLocality, SP800-155 reference-manifest events) and must
// not be trusted.
type NoActionEvent struct {
	// Sequence and PCR locate the event in the log.
	Sequence, PCR int
	// Kind is "StartupLocality", "SP800-155" or "other".
	Kind string
	// Data is the event data.
	Data []byte
}

// BootState is what a verified event log proves about the boot: only events
// of quoted PCRs whose replay matched, and what was extracted from them.
type BootState struct {
	// Hash is the bank the events and component digests are in (the
	// strongest quoted bank the log carries).
	Hash crypto.Hash
	// Events are the verified events (quoted PCRs only), in log order,
	// EV_NO_ACTION excluded.
	Events []Event
	// Unverified counts events of PCRs the quote did not cover; they are
	// not in Events and nothing is extracted from them.
	Unverified int
	// NoAction lists EV_NO_ACTION events (unauthenticated by nature).
	NoAction []NoActionEvent
	// Components are the extracted measured items.
	Components []Component
	// ExtractErr is non-nil (wrapping ErrExtract) when some component
	// could not be extracted; those components are absent, so a reference
	// value that requires them fails.
	ExtractErr error
	// Checks lists the event-log checks that ran: the replay (passed) and
	// the extraction, which is FAIL (with ExtractErr as message) when some
	// component could not be extracted.
	Checks []buildtrust.Check
}

// ComponentsNamed returns the components called name, in log order.
func (b *BootState) ComponentsNamed(name string) []Component {
	var out []Component
	for _, c := range b.Components {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// Result is a verified quote and, when the evidence carried an event log,
// the boot state the log proves.
type Result struct {
	Quote *VerifiedQuote
	// Boot is nil when the evidence had no event log.
	Boot *BootState
	// Checks are the checks of Quote and Boot together.
	Checks []buildtrust.Check
}

// Verify verifies the quote of ev ([VerifyQuote]) and, if ev.EventLog is
// set, parses the log ([ParseEventLog]) and verifies it against the quoted
// PCRs ([EventLog.Verify]). On success everything in the Result has been
// verified (BENV-L2-3, BENV-L2-6, BENV-H-2).
//
// With an event log and no ev.PCRs, the claimed PCR values are the log's
// replay over the quote's selection (a quoted register the log never
// extends holds its reset value): the signed PCR digest then decides
// whether this is the log the TPM measured, and a log that is not fails
// tpm.quote.pcrDigest. The log is replayed once for both steps.
func Verify(ev Evidence, opts Options) (*Result, error) {
	q, keys, cert, err := prepareQuote(ev, opts)
	if err != nil {
		return nil, err
	}
	var log *EventLog
	var replayed map[crypto.Hash]PCRBank
	if len(ev.EventLog) != 0 {
		if log, err = ParseEventLog(ev.EventLog); err != nil {
			return nil, err
		}
		if len(ev.PCRs) == 0 {
			if ev.PCRs, replayed, err = log.claimedPCRs(q.Selection); err != nil {
				return nil, checkErr(CheckEventLogReplay, bootThreats, err, "event log")
			}
		}
	}
	vq, err := q.verify(keys, cert, ev.PCRs, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Quote: vq}
	var bootChecks []buildtrust.Check
	if log != nil {
		if res.Boot, err = log.verify(vq, opts, replayed); err != nil {
			return nil, err
		}
		bootChecks = res.Boot.Checks
	}
	res.Checks = slices.Concat(vq.Checks, bootChecks) // one copy of both: the caller may edit it
	return res, nil
}

// claimedPCRs replays the log into every bank of sel and returns the
// selected registers' values, and the full replays for compareBanks.
func (l *EventLog) claimedPCRs(sel []PCRSelection) ([]PCRBank, map[crypto.Hash]PCRBank, error) {
	var banks []PCRBank
	replayed := map[crypto.Hash]PCRBank{}
	for _, s := range sel {
		if s.Hash == 0 || len(s.PCRs) == 0 {
			continue
		}
		r, ok := replayed[s.Hash]
		if !ok {
			var err error
			if r, err = l.Replay(s.Hash); err != nil {
				return nil, nil, err
			}
			replayed[s.Hash] = r
		}
		b := PCRBank{Hash: s.Hash, PCRs: make(map[int][]byte, len(s.PCRs))}
		for _, i := range s.PCRs {
			v, ok := r.PCRs[i]
			if !ok {
				v = l.resetValue(s.Hash, i)
			}
			b.PCRs[i] = v
		}
		banks = append(banks, b)
	}
	return banks, replayed, nil
}

// Verify replays the log into every bank the quote covers and compares each
// quoted PCR with the replay (tpm.eventlog.replay): all must match, and a
// quoted PCR the log never extends must hold its reset value (P-LOG-2). Then
// the components of the quoted PCRs are extracted (tpm.eventlog.extract)
// from the strongest quoted bank — through go-eventlog only now that every
// event type is known to be valid and every event replayed (P-LOG-1).
// Events of unquoted PCRs are dropped, never extracted.
func (l *EventLog) Verify(q *VerifiedQuote, opts Options) (*BootState, error) {
	return l.verify(q, opts, nil)
}

// verify is Verify with replays already computed (nil: replay here).
func (l *EventLog) verify(q *VerifiedQuote, opts Options, replayed map[crypto.Hash]PCRBank) (*BootState, error) {
	if q == nil || len(q.Banks) == 0 {
		return nil, checkErr(CheckEventLogReplay, bootThreats, ErrReplay, "no verified PCRs to replay against")
	}
	if err := l.compareBanks(q.Banks, replayed); err != nil {
		return nil, err
	}
	var primary PCRBank
	for _, h := range []crypto.Hash{crypto.SHA512, crypto.SHA384, crypto.SHA256, crypto.SHA1} {
		if b, ok := q.Bank(h); ok && slices.Contains(l.Algs, h) && (h != crypto.SHA1 || opts.InsecureAllowSHA1) {
			primary = b
			break
		}
	}
	if primary.Hash == 0 {
		return nil, checkErr(CheckEventLogReplay, weakHashThreats, ErrWeakHash, "no quoted bank other than SHA-1 to take events from")
	}
	var quoted []string
	for _, b := range q.Banks {
		quoted = append(quoted, HashName(b.Hash)+intsText(b.Indices()))
	}
	bs := &BootState{Hash: primary.Hash, Checks: make([]buildtrust.Check, 0, 2)}
	bs.Checks = append(bs.Checks, buildtrust.Check{ID: CheckEventLogReplay, Threats: bootThreats, Outcome: buildtrust.Pass,
		Expected: "quoted " + strings.Join(quoted, " "), Actual: "replayed equal"})

	bs.Events = make([]Event, 0, len(l.Events))
	for _, e := range l.Events {
		_, covered := primary.PCRs[e.PCR]
		switch {
		case e.Type == EvNoAction:
			bs.NoAction = append(bs.NoAction, noAction(e))
		case !covered:
			bs.Unverified++
		default:
			bs.Events = append(bs.Events, e)
		}
	}
	if len(bs.Events) == 0 {
		bs.Events = nil // as before the preallocation
	}
	if opts.SkipExtraction {
		bs.Checks = append(bs.Checks, buildtrust.Check{ID: CheckEventLogExtract, Threats: refThreats, Outcome: buildtrust.NotApplicable,
			Message: "extraction not requested (Options.SkipExtraction): components were not read from the verified events"})
		return bs, nil
	}
	bs.extract(l, primary, opts.Loader, false)
	return bs, nil
}

func noAction(e Event) NoActionEvent {
	kind := "other"
	switch {
	case strings.HasPrefix(string(e.Data), "StartupLocality"):
		kind = "StartupLocality"
	case strings.HasPrefix(string(e.Data), "SP800-155 Event"):
		kind = "SP800-155"
	}
	return NoActionEvent{Sequence: e.Sequence, PCR: e.PCR, Kind: kind, Data: slices.Clone(e.Data)}
}

// extract fills Components from the verified events: separators and
// firmware digests itself, the rest through go-eventlog's extract package
// on the events its own replay of the verified registers returns.
func (bs *BootState) extract(l *EventLog, bank PCRBank, loader Loader, rtmr bool) {
	defer bs.addExtractCheck()
	h := bank.Hash
	bs.extractOwn(h)

	needed := extractRegisters(rtmr)
	mrs := registers(bank, rtmr, func(i int) bool { return extractNeeds(needed, loader, i) })
	evs, err := l.replayedEvents(mrs, h)
	if err != nil {
		bs.addErr(fmt.Errorf("go-eventlog replay of verified registers: %v", err))
		return
	}
	st, err := firmwareLogState(evs, h, extractOpts(loader), rtmr)
	if err != nil {
		bs.addErr(err)
	}
	if st == nil {
		return
	}
	bs.addState(st, h)
}

// registers returns the registers of bank that keep selects, as
// go-eventlog names them (RTMR i-1 for the CCEL's index i).
func registers(bank PCRBank, rtmr bool, keep func(int) bool) []register.MR {
	mrs := make([]register.MR, 0, len(bank.PCRs))
	for _, i := range bank.Indices() {
		switch {
		case !keep(i):
		case rtmr:
			mrs = append(mrs, register.RTMR{Index: i - 1, Digest: bank.PCRs[i]})
		default:
			mrs = append(mrs, register.PCR{Index: i, Digest: bank.PCRs[i], DigestAlg: bank.Hash})
		}
	}
	return mrs
}

// extractOpts are go-eventlog's extraction options for loader.
func extractOpts(loader Loader) extract.Opts {
	if loader == GRUB {
		return extract.Opts{Loader: extract.GRUB}
	}
	return extract.Opts{Loader: extract.UnsupportedLoader}
}

// addExtractCheck records the outcome of the extraction (tpm.eventlog.extract).
func (bs *BootState) addExtractCheck() {
	if len(bs.Components) == 0 {
		bs.Components = nil // as before the preallocation
	}
	c := buildtrust.Check{ID: CheckEventLogExtract, Threats: refThreats, Outcome: buildtrust.Pass,
		Expected: "components of the verified events", Actual: fmt.Sprintf("%d components", len(bs.Components))}
	if bs.ExtractErr != nil {
		c.Outcome, c.Message = buildtrust.Fail, bs.ExtractErr.Error()
	}
	bs.Checks = append(bs.Checks, c)
}

// extractOwn adds the components read from the verified events here, not
// through go-eventlog: EV_SEPARATORs, the EFI stub's tagged events and
// firmware digests in PCR 0.
func (bs *BootState) extractOwn(h crypto.Hash) {
	want0, wantF := digestOf(h, separator0[:]), digestOf(h, separatorF[:]) // once, not per event
	// Most verified events yield one component; go-eventlog's add more.
	bs.Components = make([]Component, 0, len(bs.Events)+8)
	for _, e := range bs.Events {
		switch e.Type {
		case EvSeparator:
			switch d := e.Digest(h); {
			case d == nil: // no digest in this bank: nothing to compare
				bs.addErr(fmt.Errorf("event %d: EV_SEPARATOR in PCR%d without a %s digest", e.Sequence, e.PCR, HashName(h)))
			case bytes.Equal(d, want0) && bytes.Equal(e.Data, separator0[:]):
				bs.Components = append(bs.Components, Component{Name: ComponentSeparator, PCR: e.PCR, Value: "pcr" + strconv.Itoa(e.PCR) + ":00000000"})
			case bytes.Equal(d, wantF) && bytes.Equal(e.Data, separatorF[:]):
				bs.Components = append(bs.Components, Component{Name: ComponentSeparator, PCR: e.PCR, Value: "pcr" + strconv.Itoa(e.PCR) + ":ffffffff"})
			default:
				bs.addErr(fmt.Errorf("event %d: EV_SEPARATOR in PCR%d with non-separator data", e.Sequence, e.PCR))
			}
		case EvEventTag:
			if e.PCR != 9 {
				break
			}
			switch efiStubTag(e.Data) {
			case linuxInitrdTag:
				bs.Components = append(bs.Components, Component{Name: ComponentInitrd, PCR: 9, Hash: h, Digest: slices.Clone(e.Digest(h)), Hint: "EFI stub"})
			case linuxLoadOptionsTag:
				bs.Components = append(bs.Components, Component{Name: ComponentKernelLoadOptions, PCR: 9, Hash: h, Digest: slices.Clone(e.Digest(h)), Hint: "EFI stub"})
			}
		case EvSCRTMContents, EvSCRTMVersion, EvEFIPlatformFirmwareBlob, EvEFIPlatformFirmwareBlb2, EvPostCode:
			if e.PCR == 0 {
				bs.Components = append(bs.Components, Component{Name: ComponentFirmware, PCR: 0, Hash: h, Digest: slices.Clone(e.Digest(h)), Hint: e.Type.String()})
			}
		}
	}
}

// Tagged events of the Linux EFI stub (drivers/firmware/efi/libstub:
// INITRD_EVENT_TAG_ID, LOAD_OPTIONS_EVENT_TAG_ID), logged as
// TCG_PCClientTaggedEvent {u32 id; u32 size; data[size]} with a NUL-ended
// description.
const (
	linuxInitrdTag      = 0x8F3B22EC
	linuxLoadOptionsTag = 0x8F3B22ED
)

var efiStubTagText = map[uint32]string{
	linuxInitrdTag:      "Linux initrd\x00",
	linuxLoadOptionsTag: "LOADED_IMAGE::LoadOptions\x00",
}

// efiStubTag returns the tag ID of an EFI-stub tagged event, or 0 when the
// data is not exactly one (the tag alone does not vouch for the digest; the
// replay does).
func efiStubTag(data []byte) uint32 {
	if len(data) < 8 {
		return 0
	}
	id := binary.LittleEndian.Uint32(data)
	n := binary.LittleEndian.Uint32(data[4:])
	if text, ok := efiStubTagText[id]; ok && int(n) == len(data)-8 && string(data[8:]) == text {
		return id
	}
	return 0
}

func (bs *BootState) addErr(err error) {
	bs.ExtractErr = errors.Join(bs.ExtractErr, fmt.Errorf("%w: %v", ErrExtract, err))
}

func (bs *BootState) addState(st *pb.FirmwareLogState, h crypto.Hash) {
	if p := st.GetPlatform(); p != nil && p.GetTechnology() != pb.GCEConfidentialTechnology_NONE {
		bs.Components = append(bs.Components, Component{Name: ComponentPlatform, PCR: 0, Value: p.GetTechnology().String()})
	}
	if sb := st.GetSecureBoot(); sb != nil {
		v := "disabled"
		if sb.GetEnabled() {
			v = "enabled"
		}
		bs.Components = append(bs.Components, Component{Name: ComponentSecureBoot, PCR: 7, Value: v})
		bs.addDatabase(ComponentSecureBootDB, sb.GetDb())
		bs.addDatabase(ComponentSecureBootDBX, sb.GetDbx())
		bs.addDatabase(ComponentSecureBootAuthority, sb.GetAuthority())
	}
	for _, app := range st.GetEfi().GetApps() {
		bs.Components = append(bs.Components, Component{Name: ComponentBootloader, PCR: 4, Hash: h, Digest: slices.Clone(app.GetDigest())})
	}
	for _, f := range st.GetGrub().GetFiles() {
		name := strings.TrimRight(string(f.GetUntrustedFilename()), "\x00")
		c := Component{PCR: 9, Hash: h, Digest: slices.Clone(f.GetDigest()), Hint: name}
		c.Name = ComponentGRUBFile
		bs.Components = append(bs.Components, c)
		switch classifyFile(name) {
		case ComponentKernel:
			c.Name = ComponentKernel
			bs.Components = append(bs.Components, c)
		case ComponentInitrd:
			c.Name = ComponentInitrd
			bs.Components = append(bs.Components, c)
		}
	}
	for _, cmd := range st.GetGrub().GetCommands() {
		bs.Components = append(bs.Components, Component{Name: ComponentGRUBCommand, PCR: 8, Value: cmd})
	}
	if st.GetGrub() != nil && st.GetLinuxKernel().GetCommandLine() != "" {
		bs.Components = append(bs.Components, Component{Name: ComponentKernelCmdline, PCR: 8, Value: st.GetLinuxKernel().GetCommandLine()})
	}
}

func (bs *BootState) addDatabase(name string, db *pb.Database) {
	for _, c := range db.GetCerts() {
		if der := c.GetDer(); der != nil {
			d := sha256.Sum256(der)
			bs.Components = append(bs.Components, Component{Name: name, PCR: 7, Hash: crypto.SHA256, Digest: d[:], Hint: "certificate"})
		} else {
			bs.Components = append(bs.Components, Component{Name: name, PCR: 7, Value: c.GetWellKnown().String(), Hint: "well-known certificate"})
		}
	}
	for _, hsh := range db.GetHashes() {
		h := hashOfSize(len(hsh))
		bs.Components = append(bs.Components, Component{Name: name, PCR: 7, Hash: h, Digest: slices.Clone(hsh), Hint: "hash"})
	}
}

func hashOfSize(n int) crypto.Hash {
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		if h.Size() == n {
			return h
		}
	}
	return 0
}

// classifyFile names a GRUB-loaded file by its unmeasured file name. The
// name is only a hint: a reference value for "kernel" is checked against
// these digests, and "grub.file" against all of them, so a renamed file
// still has to match some accepted digest.
func classifyFile(name string) string {
	base := strings.ToLower(path.Base(strings.ReplaceAll(name, "\\", "/")))
	switch {
	case strings.HasPrefix(base, "vmlinuz"), strings.HasPrefix(base, "vmlinux"), strings.HasPrefix(base, "bzimage"):
		return ComponentKernel
	case strings.HasPrefix(base, "initrd"), strings.HasPrefix(base, "initramfs"):
		return ComponentInitrd
	}
	return ""
}

// EV_SEPARATOR data (TCG PC Client PFP §10.4.4).
var (
	separator0 = [4]byte{0, 0, 0, 0}
	separatorF = [4]byte{0xff, 0xff, 0xff, 0xff}
)

// digestOf is data's digest under h; nil, which matches no event, for a
// hash this binary cannot compute.
func digestOf(h crypto.Hash, data []byte) []byte {
	if !h.Available() {
		return nil
	}
	d := h.New()
	d.Write(data)
	return d.Sum(nil)
}

// firmwareLogState calls go-eventlog's extraction on replayed events whose
// types were all checked to be known (ParseEventLog), so the crash of P-LOG-1
// cannot happen; any ordinary panic is still turned into an error. It does
// what extract.FirmwareLogState does, in the same order and with the same
// joined errors, except the RawEvents list (a protobuf per event, each with
// a hash of its data), which nothing here reads.
func firmwareLogState(evs []tcg.Event, h crypto.Hash, opts extract.Opts, rtmr bool) (st *pb.FirmwareLogState, err error) {
	defer func() {
		if r := recover(); r != nil {
			st, err = nil, fmt.Errorf("go-eventlog extraction panic: %v", r)
		}
	}()
	for _, e := range evs {
		if !EventType(e.Type).Known() {
			// Unreachable after ParseEventLog; kept because reaching
			// extract with an unknown type kills the process.
			return nil, fmt.Errorf("%w: event type 0x%08x", ErrEventType, uint32(e.Type))
		}
	}
	cfg := extract.TPMRegisterConfig
	if rtmr {
		cfg = extract.RTMRRegisterConfig
	}
	st = &pb.FirmwareLogState{}
	var joined error
	if st.Platform, err = cfg.PlatformExtracter(h, evs); err != nil {
		joined = errors.Join(joined, err)
	}
	if st.SecureBoot, err = extract.SecureBootState(evs, cfg); err != nil {
		joined = errors.Join(joined, err)
	}
	if st.Efi, err = extract.EfiState(h, evs, cfg); err != nil {
		joined = errors.Join(joined, err)
	}
	if opts.Loader == extract.GRUB {
		if st.Grub, err = cfg.GRUBExtracter(h, evs); err != nil {
			joined = errors.Join(joined, err)
		}
		if st.LinuxKernel, err = extract.LinuxKernelStateFromGRUB(st.Grub); err != nil {
			joined = errors.Join(joined, err)
		}
	}
	return st, joined
}

// extractNeeds reports whether go-eventlog's extraction (v0.0.2) reads the
// events of register i, so that only those are replayed through it. Its
// extractors each skip every other register before looking at an event:
// PlatformState reads PCR0; SecureBootState the Secure Boot and firmware
// driver registers; EfiState the EFI application and ExitBootServices
// registers. Two exceptions keep the result what a replay of every verified
// register gives:
//   - with GRUB every register is kept: its extractor numbers events by
//     their position among all the events passed in (its error messages say
//     "GRUB event N"), so dropping any register would renumber them;
//   - PCRs 17–22 are always kept: go-eventlog replays them from zero rather
//     than from their all-ones reset value, so a quoted one with events
//     fails its replay, and that failure is reported as an extraction error
//     as before.
//
// TestExtractMatchesReference checks the result against a full replay on
// every real log.
func extractNeeds(needed []uint32, loader Loader, i int) bool {
	return loader == GRUB || (i >= 17 && i <= 22) || slices.Contains(needed, uint32(i))
}

// extractRegisters lists the registers the extractors other than GRUB's
// read, in the log's numbering (CC MR indices for a CCEL).
func extractRegisters(rtmr bool) []uint32 {
	cfg := extract.TPMRegisterConfig
	if rtmr {
		cfg = extract.RTMRRegisterConfig
	}
	return []uint32{0, cfg.FirmwareDriverIdx, cfg.SecureBootIdx, cfg.EFIAppIdx, cfg.ExitBootServicesIdx}
}
