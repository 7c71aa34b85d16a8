{#- One row: the fingerprint of the monday.yml mapping this build used, and where it came from.
    The pusher compares it with the file it reads before it sends anything. -#}
select
    cast({{ text_literal(mapping_fingerprint()) }} as varchar(32)) as mapping_fingerprint,
    cast({{ text_literal(mapping_source()) }} as {{ type_text() }}) as mapping_source
