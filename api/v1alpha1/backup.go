package v1alpha1

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// scheduleReference is where BackupInterval starts counting: a fixed
// instant, so the interval (and the alert built from it) is the same on
// every machine and every day.
var scheduleReference = time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)

// BackupInterval is the longest gap between two consecutive base backups
// of the schedule, over the year after scheduleReference (long enough to
// see every month's length and every weekday). The schedule is parsed by
// robfig/cron v1.2.0's Parse, the parser and version CloudNativePG v1.27.4
// itself uses (internal/webhook/v1/scheduledbackup_webhook.go and
// internal/controller/scheduledbackup_controller.go), so what passes here
// is what the operator runs.
func (b *Backup) BackupInterval() (time.Duration, error) {
	sched, err := cron.Parse(b.Schedule)
	if err != nil {
		return 0, err
	}
	end := scheduleReference.AddDate(1, 0, 0)
	prev := sched.Next(scheduleReference)
	if prev.IsZero() || prev.After(end) {
		return 0, fmt.Errorf("never runs within a year")
	}
	var longest time.Duration
	// A schedule that fires every second would take 31 million steps to
	// cover the year; a backup schedule is never that dense, and the
	// bound keeps a hostile one from costing more than this.
	for range 10000 {
		next := sched.Next(prev)
		if next.IsZero() || next.After(end) {
			break
		}
		longest = max(longest, next.Sub(prev))
		prev = next
	}
	if longest == 0 {
		// Once a year or less often.
		return 0, fmt.Errorf("runs less than twice a year")
	}
	return longest, nil
}

// destinationPath is an S3 URL barman-cloud accepts: a bucket name as S3
// names them, then an optional prefix.
var destinationPath = regexp.MustCompile(`^s3://[a-z0-9][-a-z0-9.]{1,61}[a-z0-9](/[-_.a-zA-Z0-9]+)*/?$`)

// UsesObjectStore says whether the CNPG cluster talks to the Barman Cloud
// object store: to archive and back up, or to restore from it.
func (s *Spec) UsesObjectStore() bool {
	c := &s.Postgres.CNPG
	return s.Postgres.Mode == DatabaseCNPG && (*c.Backup.Enabled || c.Restore != nil)
}

// validateBackup checks the store, the schedule and the restore source.
func (s *Spec) validateBackup(cnpg *field.Path) field.ErrorList {
	var errs field.ErrorList
	c := &s.Postgres.CNPG
	b := &c.Backup
	path := cnpg.Child("backup")
	if !s.UsesObjectStore() {
		return nil
	}
	if b.DestinationPath == "" {
		why := "backups are enabled"
		if !*b.Enabled {
			why = "spec.postgres.cnpg.restore reads from it"
		}
		errs = append(errs, field.Required(path.Child("destinationPath"),
			fmt.Sprintf("is required because %s: set it to s3://<bucket>/<prefix>, or set spec.s3.backupBucket (then it is s3://<bucket>/postgres), or set backup.enabled: false", why)))
	}
	if b.DestinationPath != "" && !destinationPath.MatchString(b.DestinationPath) {
		errs = append(errs, invalid(path.Child("destinationPath"), b.DestinationPath,
			"must be s3://<bucket>/<prefix>, with an S3 bucket name (3 to 63 lower-case letters, digits, dots and dashes) and a prefix of letters, digits, '-', '_' and '.'; it defaults to s3://<spec.s3.backupBucket>/postgres; got %q", b.DestinationPath))
	}
	if b.Endpoint != "" {
		errs = append(errs, validateURL(path.Child("endpoint"), b.Endpoint)...)
	}
	if !*b.Credentials.InheritFromIAMRole {
		cred := path.Child("credentials")
		errs = append(errs, validateObjectName(cred.Child("secretName"), "Secret", b.Credentials.SecretName)...)
		errs = append(errs, validateSecretKey(cred.Child("accessKeyIdKey"), b.Credentials.AccessKeyIDKey)...)
		errs = append(errs, validateSecretKey(cred.Child("secretAccessKeyKey"), b.Credentials.SecretAccessKeyKey)...)
	}
	if *b.Enabled {
		if n := len(strings.Fields(b.Schedule)); n != 6 {
			// CloudNativePG's webhook only warns about five fields, and
			// robfig/cron then reads the first as seconds: "0 3 * * *"
			// means every hour at 3 minutes and 0 seconds past, not 03:00.
			errs = append(errs, invalid(path.Child("schedule"), b.Schedule, "must have six fields, seconds first, as CloudNativePG's ScheduledBackup reads it (for example \"0 0 3 * * *\" for 03:00 daily), got %d", n))
		} else if _, err := b.BackupInterval(); err != nil {
			errs = append(errs, invalid(path.Child("schedule"), b.Schedule, "is not a schedule a backup can run on: %v", err))
		}
	}
	if r := c.Restore; r != nil {
		rp := cnpg.Child("restore")
		if r.ServerName == c.Name {
			errs = append(errs, invalid(rp.Child("serverName"), r.ServerName,
				"is this cluster's own name (spec.postgres.cnpg.name): a restore creates a new cluster from another one's backups, and would archive into the very backups it restores from; set spec.postgres.cnpg.name to a new name such as %s-restored", c.Name))
		}
		if r.TargetTime != "" {
			if _, err := time.Parse(time.RFC3339, r.TargetTime); err != nil {
				errs = append(errs, invalid(rp.Child("targetTime"), r.TargetTime, "must be an RFC 3339 time such as 2026-11-20T08:00:00Z, got %q", r.TargetTime))
			}
		}
	}
	return errs
}
