-- The ticker reference: one row per (symbol, company, validity window).
with

source as (

    select * from {{ source('lake', 'ticker_reference') }}

),

renamed as (

    select
        symbol,
        company_key,
        name,
        coalesce(aliases, cast([] as varchar[])) as aliases,
        exchange,
        lower(asset_type) as asset_type,
        valid_from,
        valid_to

    from source
    where symbol is not null

)

select * from renamed
