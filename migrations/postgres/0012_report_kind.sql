-- A report is of an activation run, or of a status run (`activator.exe --status`, often
-- a weekly scheduled task), which reads the licence state and changes nothing. Status
-- runs are kept for their idempotency and their machine's state, and left out of the
-- activation figures.
alter table reports add column kind text not null default 'activation'
    check (kind in ('activation', 'status'));
