{#-
    Data tests of a windowed build look at the window's rows only, so a nightly build's tests cost what
    the night added, not the whole history. dbt_project.yml gives the tests of the staging and mart
    models `where: "__published_window__"`; this override of dbt's get_where_subquery (the documented
    way to give `where` placeholders) turns it into the build's published-date window, for relations
    with a published_date column. Without a window (a full build), or for a relation without that
    column (a source, dim_tickers), the test sees every row.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__published_window__' in where -%}
        {%- set in_window = 'true' -%}
        {#- a source's relation is an external read_parquet, which has no catalog columns to look up -#}
        {%- if published_window() is not none and execute and model.attached_node -%}
            {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
            {%- if 'published_date' in columns -%}
                {%- set in_window = in_published_window('published_date') -%}
            {%- endif -%}
        {%- endif -%}
        {%- set where = where | replace('__published_window__', in_window) -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
