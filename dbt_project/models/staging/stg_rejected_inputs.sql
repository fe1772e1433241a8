with

source as (

    select * from {{ source('lake', 'rejected_inputs') }}

),

renamed as (

    select
        input_file,
        input_position,
        reason,
        rejected_at

    from source

)

select * from renamed
