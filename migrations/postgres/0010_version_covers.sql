-- A version names the products of the product table (protocol/products.toml) it covers:
-- their ids, comma-separated, in the order staff listed them. A version that covers one
-- gets an activator download, whatever its slug; this replaces has_activator, which only
-- the eight slugs compiled into the activator could set.
-- edition_upgrade: the licence also covers upgrading a Windows Professional PC to a
-- covered edition by that edition's key (the activator asks the person first).

alter table versions add column covers text not null default ''
    check (length(covers) <= 4000 and covers !~ '[^a-z0-9,-]');
alter table versions add column edition_upgrade boolean not null default false;

-- The versions the activator knew until now, mapped to what each activated. The table's
-- ids are frozen here: a later table may add products, never rename these.
update versions set covers = case slug
        when 'windows-10-enterprise' then 'windows-10-enterprise'
        when 'windows-8-1-enterprise' then 'windows-8-1-enterprise,windows-8-enterprise'
        when 'windows-7-enterprise' then 'windows-7-enterprise'
        when 'office-2019-proplus' then 'office-2019-proplus'
        when 'office-2016-proplus' then 'office-2016-proplus'
        when 'office-2013-proplus' then 'office-2013-proplus'
        when 'office-2010-proplus' then 'office-2010-proplus'
        when 'project-2016' then 'office-2016-project-pro,office-2016-project-std'
        else '' end
    where has_activator;

alter table versions drop column has_activator;
