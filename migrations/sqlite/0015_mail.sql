-- E-mail to staff. Each account may have an address and a language, and chooses whether
-- it gets the daily digest and the immediate alerts. Messages wait in mail_outbox until the SMTP server takes
-- them: a message's key is unique, so neither a restart nor a second portal on the same
-- database queues it twice, and a portal claims a message before sending it so that
-- two do not send it at once. mail_term_stages remembers which stage of a licence's end
-- (180, 90, 30 days, ended) each account was told, so that each is told once;
-- kms_alert_state whether each KMS group was activating when last looked at, so that
-- dropping under the threshold is noticed by one portal, once. An account's licence
-- calendar feed is signed with its calendar_generation (null: no feed); renewing the link
-- counts it up, which stops the old one. An account made by single sign-on carries its
-- subject at the identity provider (oidc_subject) and no usable password. A download
-- made after a campus sign-in keeps the person's pseudonym (an HMAC of the subject),
-- never a name, for the per-person limit.
alter table users add column email text check (email is null or length(email) between 3 and 254);
alter table users add column lang text not null default 'zh-TW' check (lang in ('zh-TW', 'en'));
alter table users add column digest integer not null default 1 check (digest in (0, 1));
alter table users add column alerts integer not null default 1 check (alerts in (0, 1));
alter table users add column calendar_generation integer;
alter table users add column oidc_subject text check (oidc_subject is null or length(oidc_subject) between 1 and 255);

create unique index users_oidc_subject on users (oidc_subject);

alter table downloads add column person text check (person is null or length(person) = 32);
create index downloads_person on downloads (person, created_at) where person is not null;

create table mail_outbox (
    id integer primary key,
    message_key text not null unique check (length(message_key) between 1 and 200),
    recipient text not null,
    subject text not null,
    body text not null,
    created_at text not null,
    attempts integer not null default 0,
    next_attempt_at text not null,
    claimed_until text,
    sent_at text,
    last_error text
) strict;

create index mail_outbox_waiting on mail_outbox (next_attempt_at) where sent_at is null;

create table mail_term_stages (
    user_id integer not null references users (id) on delete cascade,
    version_slug text not null,
    term_end text not null,
    stage text not null check (stage in ('180', '90', '30', 'ended')),
    told_at text not null,
    primary key (user_id, version_slug, term_end, stage)
) strict;

create table kms_alert_state (
    kms_group text primary key check (kms_group in ('windows', 'office')),
    activating integer not null check (activating in (0, 1)),
    changed_at text not null
) strict;
