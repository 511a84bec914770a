//! The unlock page of a sealed start, in a real browser: every page leads there; a wrong
//! passphrase is said beside the field, in the browser's language; the right one leads to
//! the sign-in page of the service, now started.

use super::browser::Browser;
use crate::common::{ok, read_until, rempart, run};
use crate::sealed::{FIRST, WORK_FACTOR, start_sealed};
use rempart_test_db::TestDb;

#[test]
fn the_unlock_page_in_french() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().expect("dir");
    let url = db.url();
    ok(&run(
        rempart(dir.path()).args(["--database", url, "keys", "init", "--uid", "Helpline <help@helpline.example>"]),
        "",
    ));
    ok(&run(
        rempart(dir.path()).args(["--database", url, "keys", "protect-master", "--work-factor", WORK_FACTOR]),
        format!("{FIRST}\n"),
    ));
    let mut sealed = start_sealed(dir.path(), url, &[]);
    let b = Browser::start("fr", true);
    b.goto(&sealed.url("/cases/new"));
    assert!(b.url().ends_with("/unlock"), "every page leads to the unlock page: {}", b.url());
    assert_eq!(b.text("h1"), "Déverrouiller Rempart");
    b.check_page("fr-unlock");
    b.fill("#passphrase", "pas la bonne phrase");
    b.click("form.stacked button[type=submit]");
    assert_eq!(b.text("#passphrase-error"), "Phrase de passe incorrecte.");
    assert_eq!(b.attribute("#passphrase", "aria-invalid"), "true");
    b.check_page("fr-unlock-wrong");
    b.fill("#passphrase", FIRST);
    b.click("form.stacked button[type=submit]");
    read_until(&mut sealed.lines, |l| l.starts_with("Rempart is listening on port"));
    b.wait_for("the sign-in page", || b.url().ends_with("/login"));
    assert_eq!(b.text("h1"), "Connexion");
}
