{#-
    Incremental builds by published-date window.

    The window is given as dbt vars `window_start` / `window_end` (ISO dates, both inclusive), e.g.
        dbt build --vars '{"window_start": "2024-03-05", "window_end": "2024-03-05"}'
    or, when the vars are not given, as the environment variables TICKERWIRE_WINDOW_START /
    TICKERWIRE_WINDOW_END. Without either the window is "everything". The Dagster `warehouse` asset
    passes the run's partition range in the environment (orchestration/defs/warehouse/assets.py):
    dbt re-parses the whole project whenever --vars differ from the previous invocation's (every
    night), while the environment is read only when a model is compiled.

    An incremental mart (materialized='incremental', incremental_strategy='published_window'):
      * selects, when is_incremental(), only rows whose published_date is in the window
        (`where {{ in_published_window('published_date') }}`), plus any rows outside it that the window
        changes (the claims near it in fct_claim_price_links and fct_claim_market_moves);
      * then the strategy below deletes from the mart (one statement per condition) every row that
          - has its published_date in the window, or
          - belongs to an article version that no longer survives in staging (an article that moved
            to another day of the window, see of_dropped_article_version): config `article_keys`, pairs of
            (article id column, published date column), default [["article_id", "published_date"]], or
          - shares its `recompute_key` (config, optional) and published_date with a row just computed
            (with the date DuckDB skips the row groups of other days, the marts being stored in date
            order: matching three days' claim ids in the 1M link mart took 1.2-1.4 s by id, 0.3 s by
            id and date; a row whose article moved to another day goes with its dropped version),
        and inserts the rows just computed. A day of the window that lost all its rows ends up empty,
        as in a full refresh.
-#}

{% macro published_window() %}
    {#- Parsing renders no window: the environment is then read at compile time only, so a new window
        does not make dbt re-parse the models that use it. -#}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set start = var('window_start', env_var('TICKERWIRE_WINDOW_START', '') or none) -%}
    {%- set end = var('window_end', env_var('TICKERWIRE_WINDOW_END', '') or none) -%}
    {%- if start is none and end is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if start is none or end is none -%}
        {{ exceptions.raise_compiler_error("set both window_start and window_end (ISO dates), or neither") }}
    {%- endif -%}
    {%- set first = modules.datetime.date.fromisoformat(start | string) -%}
    {%- set last = modules.datetime.date.fromisoformat(end | string) -%}
    {%- if last < first -%}
        {{ exceptions.raise_compiler_error("window_end " ~ last ~ " is before window_start " ~ first) }}
    {%- endif -%}
    {{ return([first, last]) }}
{% endmacro %}


{#- SQL condition: `column` within the window widened by pad_days on both sides (`true` without a window). -#}
{% macro in_published_window(column, pad_days=0) -%}
    {%- set window = published_window() -%}
    {%- if window is none -%}
        true
    {%- else -%}
        {%- set pad = modules.datetime.timedelta(days=pad_days | int) -%}
        {{ column }} between date '{{ (window[0] - pad).isoformat() }}' and date '{{ (window[1] + pad).isoformat() }}'
    {%- endif -%}
{%- endmacro %}


{#- SQL condition: `column` within pad_days of the window but not in it (the days a window's rows can
    reach; `false` without a window). -#}
{% macro around_published_window(column, pad_days) -%}
    {{ in_published_window(column, pad_days) }} and not ({{ in_published_window(column) }})
{%- endmacro %}

{#- SQL condition: the row's article version (article id, published date) was replaced by a surviving
    version on a day of the window: its day is one of the other version days (stg_article_versions'
    other_version_dates) of an article surviving on a day of the window. For a row outside the window that
    is "no longer survives" (of an article the lake still has): the days outside the window are unchanged
    since the last build, so an article whose surviving version changed now survives on a day of the
    window. Rows of the window are redone anyway. A lookup in the (article, day) pairs of the window's
    articles landed more than once, none on most nights: the check costs what moved, not the history
    (probing every row's keys against every article of the window took 0.02-0.11 s a mart at 1M).
    Models using the strategy declare `-- depends_on: {{ ref('stg_article_versions') }}`. -#}
{% macro of_dropped_article_version(alias, article_id='article_id', published_date='published_date') -%}
    ({{ alias }}.{{ article_id }}, {{ alias }}.{{ published_date }}) in (
        select surviving.article_id, unnest(surviving.other_version_dates)
        from {{ ref('stg_article_versions') }} as surviving
        where {{ in_published_window('surviving.published_date') }}
    )
{%- endmacro %}


{#- The days outside the window of the versions of the articles a windowed build of stg_article_versions
    re-ranks (those with a version on a day of the window, or surviving on one), as the last build recorded
    them: each one's surviving day and other_version_dates. The days outside the window are unchanged since
    that build, so these days and the window's hold every version of those articles. None on a usual night
    (the window's articles are new), so the build reads the window's days of the lake only. ISO dates. -#}
{% macro outside_version_days() %}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set days -%}
        select distinct version_day from (
            select unnest(list_append(known.other_version_dates, known.published_date)) as version_day
            from {{ this }} as known
            where {{ in_published_window('known.published_date') }}
                or known.article_id in (
                    select landed.article_id from {{ source('lake', 'articles') }} as landed
                    where {{ in_published_window('landed.published_date') }}
                )
        )
        where not ({{ in_published_window('version_day') }})
        order by version_day
    {%- endset -%}
    {{ return(run_query(days).columns[0].values() | map('string') | list) }}
{% endmacro %}


{% macro get_incremental_published_window_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set recompute_key = config.get('recompute_key') -%}
    {%- set article_keys = config.get('article_keys') or [['article_id', 'published_date']] -%}

    {#- One delete per condition, not one delete of their OR: alone, the window's delete skips row groups
        by their published_date range and each lookup is a semi-join; ORed, every row of the mart went
        through all of them (on a 33M-row link mart, each timed alone: 0.1 + 0.4 + 0.4 + 0.9 s, against
        2.8-3.1 s ORed). #}
    delete from {{ target }} as existing
    where {{ in_published_window('existing.published_date') }};
    {%- for keys in article_keys %}

    delete from {{ target }} as existing
    where {{ of_dropped_article_version('existing', keys[0], keys[1]) }};
    {%- endfor %}
    {%- if recompute_key %}

    delete from {{ target }} as existing
    where (existing.{{ recompute_key }}, existing.published_date)
        in (select {{ recompute_key }}, published_date from {{ source }});
    {%- endif %}

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{% endmacro %}
